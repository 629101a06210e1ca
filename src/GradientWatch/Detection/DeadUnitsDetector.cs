using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>Layers whose zero-gradient fraction stays at or above a threshold for K full-statistics steps.</summary>
internal sealed class DeadUnitsDetector : IGradientDetector
{
    private readonly DeadUnitsOptions options;
    private readonly PersistentConditionReporter reporter;
    private readonly LayerStreaks streaks;

    public DeadUnitsDetector(DeadUnitsOptions options)
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

        var (dead, newly) = streaks.Update(snapshot.Layers, l => !l.IsFrozen && l.ZeroFraction >= options.ZeroFractionThreshold);
        if (!reporter.ShouldReport(snapshot.Step, dead.Count > 0, newly))
        {
            return;
        }

        var worst = dead.MaxBy(l => l.ZeroFraction)!;
        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.DeadUnits,
            Trigger = "zero_fraction",
            Severity = GradientEventSeverity.Warning,
            Layers = dead.Select(l => l.Name).ToArray(),
            ObservedValue = worst.ZeroFraction,
            Threshold = options.ZeroFractionThreshold,
            Persistent = true,
            Details = new Dictionary<string, double> { ["dead_layers"] = dead.Count },
            Message = string.Create(CultureInfo.InvariantCulture, $"dead units: {VanishingGradientDetector.Describe(dead)} have {worst.ZeroFraction:P0}+ exactly-zero gradients for {options.ConsecutiveSteps}+ measured steps"),
        });
    }
}
