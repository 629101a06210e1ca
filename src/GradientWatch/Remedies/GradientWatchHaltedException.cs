namespace GradientWatch;

/// <summary>
/// Thrown by <see cref="GradientWatcher.Step(double?)"/> when the halt remedy stops training after too many
/// consecutive bad steps. Carries the diagnosis: the last snapshot and the events that led to the halt.
/// </summary>
public sealed class GradientWatchHaltedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GradientWatchHaltedException(string message, StepSnapshot snapshot, IReadOnlyList<GradientEvent> recentEvents)
        : base(message)
    {
        Snapshot = snapshot;
        RecentEvents = recentEvents;
    }

    /// <summary>The snapshot of the step that halted training.</summary>
    public StepSnapshot Snapshot { get; }

    /// <summary>The most recent events, oldest first, including the halt itself.</summary>
    public IReadOnlyList<GradientEvent> RecentEvents { get; }
}
