using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>
/// Layers whose fraction of units with an exactly-zero gradient, or whose zero-gradient element fraction, stays at or
/// above a threshold for K full-statistics steps.
/// </summary>
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
        if (!snapshot.IsFullStatistics || snapshot.HasNonFinite)
        {
            return; // Not measured, or measured on a broken step (forced full statistics): neither counts.
        }

        var (dead, newly) = streaks.Update(snapshot.Layers, l => !l.IsFrozen && (DeadByUnits(l) || l.ZeroFraction >= options.ZeroFractionThreshold));
        if (!reporter.ShouldReport(snapshot.Step, dead.Count > 0, newly))
        {
            return;
        }

        // The unit share decides when any layer trips on it; the zero-element fraction otherwise.
        var byUnits = dead.Where(DeadByUnits).ToList();
        bool units = byUnits.Count > 0;
        var worst = units ? byUnits.MaxBy(l => l.DeadUnitFraction)! : dead.MaxBy(l => l.ZeroFraction)!;
        double observed = units ? worst.DeadUnitFraction : worst.ZeroFraction;
        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.DeadUnits,
            Trigger = units ? "dead_units" : "zero_fraction",
            Severity = GradientEventSeverity.Warning,
            Layers = dead.Select(l => l.Name).ToArray(),
            ObservedValue = observed,
            Threshold = units ? options.DeadUnitFractionThreshold : options.ZeroFractionThreshold,
            Persistent = true,
            Details = new Dictionary<string, double> { ["dead_layers"] = dead.Count },
            Message = units
                ? string.Create(CultureInfo.InvariantCulture, $"dead units: {VanishingGradientDetector.Describe(dead)} have {observed:P0}+ of their units with an exactly-zero gradient for {options.ConsecutiveSteps}+ measured steps (no example of the batch activates them)")
                : string.Create(CultureInfo.InvariantCulture, $"dead units: {VanishingGradientDetector.Describe(dead)} have {observed:P0}+ exactly-zero gradients for {options.ConsecutiveSteps}+ measured steps"),
        });
    }

    private bool DeadByUnits(LayerStatistics l) => options.DeadUnitFractionThreshold is { } t && l.DeadUnitFraction >= t;
}
