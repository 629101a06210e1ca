namespace GradientWatch.Detection;

/// <summary>Decides when a persistent condition is reported: when it trips, then every N steps while it lasts.</summary>
internal sealed class PersistentConditionReporter
{
    private readonly int repeatEvery;
    private long lastReported = long.MinValue;
    private bool active;

    public PersistentConditionReporter(int repeatEvery) => this.repeatEvery = repeatEvery;

    /// <summary>Updates with whether the condition holds at <paramref name="step"/>; true when an event should be emitted.</summary>
    public bool ShouldReport(long step, bool holds, bool newlyTripped)
    {
        if (!holds)
        {
            active = false;
            return false;
        }

        if (!active || newlyTripped || step - lastReported >= repeatEvery)
        {
            active = true;
            lastReported = step;
            return true;
        }

        return false;
    }
}
