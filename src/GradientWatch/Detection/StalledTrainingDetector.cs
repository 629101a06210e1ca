using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>Layers whose update-to-weight ratio stays below a threshold for K measured steps.</summary>
internal sealed class StalledTrainingDetector : IGradientDetector
{
    private readonly StalledTrainingOptions options;
    private readonly PersistentConditionReporter reporter;
    private int[] consecutive = Array.Empty<int>();

    public StalledTrainingDetector(StalledTrainingOptions options)
    {
        this.options = options;
        reporter = new PersistentConditionReporter(options.RepeatEverySteps);
    }

    public void Detect(StepSnapshot snapshot, List<DetectedIssue> issues)
    {
        var layers = snapshot.Layers;
        if (consecutive.Length != layers.Count)
        {
            consecutive = new int[layers.Count];
        }

        if (!layers.Any(l => !double.IsNaN(l.UpdateToWeightRatio)))
        {
            return; // Not measured on this step.
        }

        bool newly = false;
        var stalled = new List<LayerStatistics>();
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            if (double.IsNaN(l.UpdateToWeightRatio))
            {
                continue;
            }

            bool holds = !l.IsFrozen && l.UpdateToWeightRatio < options.UpdateRatioThreshold;
            consecutive[i] = holds ? consecutive[i] + 1 : 0;
            if (consecutive[i] >= options.ConsecutiveSteps)
            {
                stalled.Add(l);
                newly |= consecutive[i] == options.ConsecutiveSteps;
            }
        }

        if (!reporter.ShouldReport(snapshot.Step, stalled.Count > 0, newly))
        {
            return;
        }

        var worst = stalled.MinBy(l => l.UpdateToWeightRatio)!;
        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.Stalled,
            Trigger = "update_ratio",
            Severity = GradientEventSeverity.Warning,
            Layers = stalled.Select(l => l.Name).ToArray(),
            ObservedValue = worst.UpdateToWeightRatio,
            Threshold = options.UpdateRatioThreshold,
            Persistent = true,
            Details = new Dictionary<string, double> { ["stalled_layers"] = stalled.Count },
            Message = string.Create(CultureInfo.InvariantCulture, $"training stalled: update/weight ratio {worst.UpdateToWeightRatio:G3} < {options.UpdateRatioThreshold:G3} in {VanishingGradientDetector.Describe(stalled)} for {options.ConsecutiveSteps}+ measured steps"),
        });
    }
}
