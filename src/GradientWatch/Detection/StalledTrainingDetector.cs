using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>Layers whose update-to-weight ratio stays below a threshold for K measured steps.</summary>
internal sealed class StalledTrainingDetector : IGradientDetector
{
    private readonly StalledTrainingOptions options;
    private readonly PersistentConditionReporter reporter;
    private readonly LayerStreaks streaks;

    public StalledTrainingDetector(StalledTrainingOptions options)
    {
        this.options = options;
        reporter = new PersistentConditionReporter(options.RepeatEverySteps);
        streaks = new LayerStreaks(options.ConsecutiveSteps);
    }

    /// <summary>The update ratio exists only after the optimizer step.</summary>
    public bool AfterStep => true;

    public void Detect(StepSnapshot snapshot, List<DetectedIssue> issues)
    {
        if (!snapshot.Layers.Any(l => !double.IsNaN(l.UpdateToWeightRatio)))
        {
            return; // Not measured on this step.
        }

        var (stalled, newly) = streaks.Update(snapshot.Layers, l => double.IsNaN(l.UpdateToWeightRatio) ? null : !l.IsFrozen && l.UpdateToWeightRatio < options.UpdateRatioThreshold);
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
