using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>Layers whose gradient norm stays below an absolute or relative threshold for K consecutive steps.</summary>
internal sealed class VanishingGradientDetector : IGradientDetector
{
    private readonly VanishingGradientOptions options;
    private readonly PersistentConditionReporter reporter;
    private readonly LayerStreaks streaks;

    public VanishingGradientDetector(VanishingGradientOptions options)
    {
        this.options = options;
        reporter = new PersistentConditionReporter(options.RepeatEverySteps);
        streaks = new LayerStreaks(options.ConsecutiveSteps);
    }

    public void Detect(StepSnapshot snapshot, List<DetectedIssue> issues)
    {
        if (snapshot.HasNonFinite && !double.IsFinite(snapshot.GlobalGradientNorm))
        {
            return;
        }

        var layers = snapshot.Layers;
        double max = 0;
        foreach (var l in layers)
        {
            if (!l.IsFrozen && l.GradientNorm > max)
            {
                max = l.GradientNorm;
            }
        }

        var (vanishing, newlyTripped) = streaks.Update(layers, l => !l.IsFrozen
            && ((options.AbsoluteThreshold is { } a && l.GradientNorm < a)
                || (options.RelativeThreshold is { } r && max > 0 && l.GradientNorm < r * max)));

        if (!reporter.ShouldReport(snapshot.Step, vanishing.Count > 0, newlyTripped))
        {
            return;
        }

        var trainable = layers.Where(l => !l.IsFrozen).ToArray();
        double profile = trainable.Length >= 2 && trainable[^1].GradientNorm > 0 ? trainable[0].GradientNorm / trainable[^1].GradientNorm : double.NaN;
        var worst = vanishing.MinBy(l => l.GradientNorm)!;
        bool relative = options.RelativeThreshold is { } rel && max > 0 && worst.GradientNorm < rel * max;
        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.Vanishing,
            Trigger = relative ? "relative" : "absolute",
            Severity = GradientEventSeverity.Warning,
            Layers = vanishing.Select(l => l.Name).ToArray(),
            ObservedValue = relative ? worst.GradientNorm / max : worst.GradientNorm,
            Threshold = relative ? options.RelativeThreshold : options.AbsoluteThreshold,
            Persistent = true,
            Details = new Dictionary<string, double>
            {
                ["depth_profile"] = profile,
                ["vanishing_layers"] = vanishing.Count,
                ["min_norm"] = worst.GradientNorm,
                ["max_norm"] = max,
            },
            Message = string.Create(CultureInfo.InvariantCulture, $"vanishing gradients in {vanishing.Count} of {trainable.Length} layers ({Describe(vanishing)}) for {options.ConsecutiveSteps}+ steps; first/last layer norm ratio {profile:G3}"),
        });
    }

    internal static string Describe(IReadOnlyList<LayerStatistics> layers)
        => layers.Count <= 3 ? string.Join(", ", layers.Select(l => l.Name)) : $"{layers[0].Name} … {layers[^1].Name}";
}
