using GradientWatch.Detection;

namespace GradientWatch;

/// <summary>When a remedy acts: always, on given issue kinds, or when the global norm crosses a threshold.</summary>
public sealed class RemedyTrigger
{
    private readonly GradientIssueKind[] kinds;
    private readonly double? normThreshold;

    private RemedyTrigger(string description, GradientIssueKind[] kinds, double? normThreshold, GradientEventSeverity minimumSeverity = GradientEventSeverity.Info)
    {
        Description = description;
        this.kinds = kinds;
        this.normThreshold = normThreshold;
        MinimumSeverity = minimumSeverity;
    }

    /// <summary>Acts on every step (the remedy itself decides whether anything needs changing, e.g. clipping only above the limit).</summary>
    public static RemedyTrigger Always { get; } = new("always", Array.Empty<GradientIssueKind>(), null);

    /// <summary>A readable form, for example <c>on exploding, non_finite</c>.</summary>
    public string Description { get; }

    /// <summary>The issue kinds this trigger reacts to; empty for <see cref="Always"/> and norm thresholds.</summary>
    public IReadOnlyList<GradientIssueKind> Kinds => kinds;

    /// <summary>The least severe issue this trigger reacts to (<see cref="GradientEventSeverity.Info"/>: any).</summary>
    public GradientEventSeverity MinimumSeverity { get; }

    /// <summary>Acts on steps where a detector reported one of <paramref name="kinds"/>.</summary>
    public static RemedyTrigger OnIssues(params GradientIssueKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        if (kinds.Length == 0)
        {
            throw new ArgumentException("RemedyTrigger.OnIssues needs at least one issue kind.", nameof(kinds));
        }

        return new RemedyTrigger("on " + string.Join(", ", kinds.Distinct()), kinds.Distinct().ToArray(), null);
    }

    /// <summary>
    /// Acts on steps where a detector reported one of <paramref name="kinds"/> at <paramref name="minimumSeverity"/> or
    /// above; for example <c>OnIssues(GradientEventSeverity.Error, GradientIssueKind.Exploding)</c> ignores the
    /// Warning-level statistical outliers and reacts to sustained growth, divergence and non-finite values.
    /// </summary>
    public static RemedyTrigger OnIssues(GradientEventSeverity minimumSeverity, params GradientIssueKind[] kinds)
    {
        var trigger = OnIssues(kinds);
        return minimumSeverity <= GradientEventSeverity.Info
            ? trigger
            : new RemedyTrigger($"{trigger.Description} ({minimumSeverity.ToString().ToLowerInvariant()} or worse)", trigger.kinds, null, minimumSeverity);
    }

    /// <summary>Acts on steps whose global gradient norm exceeds <paramref name="threshold"/>.</summary>
    public static RemedyTrigger WhenGlobalNormAbove(double threshold)
    {
        if (!double.IsFinite(threshold) || threshold <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "RemedyTrigger.WhenGlobalNormAbove needs a finite threshold greater than 0.");
        }

        return new RemedyTrigger($"global norm > {threshold}", Array.Empty<GradientIssueKind>(), threshold);
    }

    /// <inheritdoc/>
    public override string ToString() => Description;

    internal bool Matches(StepSnapshot snapshot, IReadOnlyList<DetectedIssue> issues, out GradientIssueKind? cause)
    {
        cause = null;
        if (normThreshold is { } t)
        {
            return snapshot.GlobalGradientNorm > t || double.IsNaN(snapshot.GlobalGradientNorm);
        }

        if (kinds.Length == 0)
        {
            // Nothing in particular triggered the remedy: it names no issue (a clip names the exploding issue of its step itself).
            return true;
        }

        foreach (var issue in issues)
        {
            if (issue.Severity >= MinimumSeverity && Array.IndexOf(kinds, issue.Kind) >= 0)
            {
                cause = issue.Kind;
                return true;
            }
        }

        return false;
    }
}
