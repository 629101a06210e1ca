using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>Layers whose float16 (or bfloat16) underflow fraction stays at or above a threshold for K full-statistics steps.</summary>
internal sealed class UnderflowDetector : IGradientDetector
{
    private readonly UnderflowOptions options;
    private readonly PersistentConditionReporter reporter;
    private readonly LayerStreaks streaks;

    public UnderflowDetector(UnderflowOptions options)
    {
        this.options = options;
        reporter = new PersistentConditionReporter(options.RepeatEverySteps);
        streaks = new LayerStreaks(options.ConsecutiveSteps);
    }

    public void Detect(StepSnapshot snapshot, List<DetectedIssue> issues)
    {
        if (!snapshot.IsFullStatistics)
        {
            return;
        }

        var (layers, newly) = streaks.Update(snapshot.Layers, l => l.Histogram is null ? null : Underflows(l));
        if (!reporter.ShouldReport(snapshot.Step, layers.Count > 0, newly))
        {
            return;
        }

        bool float16 = options.Float16FractionThreshold is { } t16 && layers.Any(l => l.Float16UnderflowFraction >= t16);
        var worst = float16 ? layers.MaxBy(l => l.Float16UnderflowFraction)! : layers.MaxBy(l => l.BFloat16UnderflowFraction)!;
        double observed = float16 ? worst.Float16UnderflowFraction : worst.BFloat16UnderflowFraction;
        string format = float16 ? "float16" : "bfloat16";
        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.Underflow,
            Trigger = float16 ? "float16_underflow" : "bfloat16_underflow",
            Severity = GradientEventSeverity.Warning,
            Layers = layers.Select(l => l.Name).ToArray(),
            ObservedValue = observed,
            Threshold = (float16 ? options.Float16FractionThreshold : options.BFloat16FractionThreshold)!.Value,
            Persistent = true,
            Details = new Dictionary<string, double>
            {
                ["underflow_layers"] = layers.Count,
                ["float16_fraction"] = layers.Max(l => l.Float16UnderflowFraction),
                ["bfloat16_fraction"] = layers.Max(l => l.BFloat16UnderflowFraction),
            },
            Message = string.Create(CultureInfo.InvariantCulture, $"underflow risk: {VanishingGradientDetector.Describe(layers)} have {observed:P1} of gradient elements below {format}'s smallest normal for {options.ConsecutiveSteps}+ measured steps"),
        });
    }

    private bool Underflows(LayerStatistics l)
        => (options.Float16FractionThreshold is { } t16 && l.Float16UnderflowFraction >= t16)
        || (options.BFloat16FractionThreshold is { } tb && l.BFloat16UnderflowFraction >= tb);
}
