namespace GradientWatch.ML;

/// <summary>Progress of a <see cref="GradientWatchCatalog"/> trainer after one epoch, passed to <see cref="TorchModuleTrainerOptions.OnEpochCompleted"/>.</summary>
public sealed record TorchModuleEpochInfo
{
    /// <summary>The epoch just completed, starting at 1.</summary>
    public required int Epoch { get; init; }

    /// <summary>Number of epochs the trainer runs.</summary>
    public required int Epochs { get; init; }

    /// <summary>Mean training loss over the epoch's rows (weighted by batch size).</summary>
    public required double Loss { get; init; }

    /// <summary>Optimizer steps taken so far, across all epochs.</summary>
    public required long Steps { get; init; }

    /// <summary>Number of training rows.</summary>
    public required long Rows { get; init; }

    /// <summary>Wall-clock time of the epoch.</summary>
    public required TimeSpan Elapsed { get; init; }
}
