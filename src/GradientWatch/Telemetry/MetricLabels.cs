using System.Text;

namespace GradientWatch.Telemetry;

/// <summary>Turns user-supplied names (layers, run ids, model and remedy names) into safe, bounded label values.</summary>
internal static class MetricLabels
{
    /// <summary>Longest label value exported; longer names are cut and given a short hash so that they stay distinct.</summary>
    public const int MaxLength = 96;

    /// <summary>
    /// Replaces control characters and lone surrogates with <c>_</c>, trims white space, maps an empty result to
    /// <c>_</c>, and cuts values longer than <see cref="MaxLength"/> (keeping a hash of the full name).
    /// </summary>
    public static string Sanitize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "_";
        }

        var sb = new StringBuilder(Math.Min(value.Length, MaxLength + 16));
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                sb.Append(c).Append(value[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                sb.Append('_');
            }
            else
            {
                sb.Append(c);
            }
        }

        string clean = sb.ToString().Trim();
        if (clean.Length == 0)
        {
            return "_";
        }

        if (clean.Length <= MaxLength)
        {
            return clean;
        }

        int cut = MaxLength - 9;
        if (char.IsHighSurrogate(clean[cut - 1]))
        {
            cut--;
        }

        return string.Concat(clean.AsSpan(0, cut), "~", Fnv1a(value).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Label value of an issue kind: <c>exploding</c>, <c>non_finite</c>, <c>dead_units</c>...</summary>
    public static string Of(GradientIssueKind kind) => kind switch
    {
        GradientIssueKind.Exploding => "exploding",
        GradientIssueKind.Vanishing => "vanishing",
        GradientIssueKind.NonFinite => "non_finite",
        GradientIssueKind.DeadUnits => "dead_units",
        GradientIssueKind.Stalled => "stalled",
        GradientIssueKind.Overshooting => "overshooting",
        GradientIssueKind.Underflow => "underflow",
        _ => SnakeCase(kind.ToString()),
    };

    /// <summary>Label value of a severity: <c>info</c>, <c>warning</c>, <c>error</c>, <c>critical</c>.</summary>
    public static string Of(GradientEventSeverity severity) => SnakeCase(severity.ToString());

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    private static uint Fnv1a(string value)
    {
        uint hash = 2166136261;
        foreach (char c in value)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }
}
