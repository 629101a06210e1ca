namespace GradientWatch.ML;

/// <summary>What GradientWatch saw while one trainer of the pipeline trained its module.</summary>
public sealed record GradientWatchTrainerRun
{
    /// <summary>The trainer's task: <c>Regression</c>, <c>BinaryClassification</c> or <c>MulticlassClassification</c>.</summary>
    public required string Task { get; init; }

    /// <summary>The module's registered name.</summary>
    public required string ModuleName { get; init; }

    /// <summary>The watcher's summary: steps, issues and remedies by kind, the last snapshots and the recent events. Null when the watcher could not be attached (see <see cref="WatchError"/>).</summary>
    public GradientWatchSummary? Watch { get; init; }

    /// <summary>Why the watcher could not be attached, when it could not; training then ran unwatched.</summary>
    public string? WatchError { get; init; }

    /// <summary>Mean training loss of every epoch, in order.</summary>
    public required IReadOnlyList<double> EpochLosses { get; init; }

    /// <summary>Optimizer steps the trainer ran (including any a remedy skipped).</summary>
    public required long Steps { get; init; }

    /// <summary>Per-layer statistics of the last step that measured all of them (empty when nothing was measured).</summary>
    public IReadOnlyList<LayerStatistics> FinalLayerStatistics
        => Watch?.LastFullStatistics?.Layers ?? Watch?.LastStep?.Layers ?? Array.Empty<LayerStatistics>();
}
