namespace GradientWatch.Demo.Training;

/// <summary>What one watched training run produced: every step's snapshot, every event and the losses.</summary>
internal sealed record DemoRun
{
    /// <summary>The spec that was trained.</summary>
    public required TrainingSpec Spec { get; init; }

    /// <summary>Every step's snapshot, in order.</summary>
    public required IReadOnlyList<StepSnapshot> Snapshots { get; init; }

    /// <summary>Every issue and remedy event, in order.</summary>
    public required IReadOnlyList<GradientEvent> Events { get; init; }

    /// <summary>Mean loss of every epoch, in order.</summary>
    public required IReadOnlyList<double> EpochLosses { get; init; }

    /// <summary>The watcher's summary, when one was returned.</summary>
    public GradientWatchSummary? Summary { get; init; }

    /// <summary>Wall-clock training time.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Run name (see <see cref="TrainingSpec.Name"/>).</summary>
    public string Name => Spec.Name;

    /// <summary>Layer names, in layer order.</summary>
    public IReadOnlyList<string> LayerNames => Snapshots.Count == 0 ? Array.Empty<string>() : Snapshots[0].Layers.Select(l => l.Name).ToArray();

    /// <summary>Each step's loss (NaN where none was reported).</summary>
    public IReadOnlyList<double> StepLosses => Snapshots.Select(s => s.Loss ?? double.NaN).ToArray();

    /// <summary>Steps whose optimizer step was skipped by a remedy.</summary>
    public int SkippedSteps => Snapshots.Count(s => s.StepSkipped);

    /// <summary>The loss the run ended with: mean of the last epoch (NaN when it diverged).</summary>
    public double FinalLoss => EpochLosses.Count > 0 ? EpochLosses[^1] : double.NaN;

    /// <summary>Issue events.</summary>
    public IEnumerable<GradientEvent> Issues => Events.Where(e => e.Type == GradientEventType.Issue);

    /// <summary>Remedy events.</summary>
    public IEnumerable<GradientEvent> Remedies => Events.Where(e => e.Type == GradientEventType.Remedy);

    /// <summary>The epoch (from 1) a step belongs to.</summary>
    public int EpochOf(long step) => (int)((step - 1) / Math.Max(1, Spec.StepsPerEpoch)) + 1;
}
