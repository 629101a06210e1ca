namespace GradientWatch;

/// <summary>
/// Everything GradientWatch measured on one training step. Holds no TorchSharp types, so it can be
/// kept, serialized or handed to another thread freely.
/// </summary>
public sealed record StepSnapshot
{
    /// <summary>Step number, starting at 1 for the first call to <see cref="GradientWatcher.Step(double?)"/>.</summary>
    public required long Step { get; init; }

    /// <summary>Wall-clock time the step was measured.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The loss passed by the caller, if any.</summary>
    public double? Loss { get; init; }

    /// <summary>Global L2 norm over every trainable gradient element (before any remedy changed the gradients).</summary>
    public required double GlobalGradientNorm { get; init; }

    /// <summary>True when any gradient element (or the loss) is NaN or ±Inf.</summary>
    public required bool HasNonFinite { get; init; }

    /// <summary>Learning rate of every optimizer parameter group, as it was when the step was measured.</summary>
    public required IReadOnlyList<double> LearningRates { get; init; }

    /// <summary>True when this step measured every per-layer statistic.</summary>
    public required bool IsFullStatistics { get; init; }

    /// <summary>Per-layer statistics, in layer order.</summary>
    public required IReadOnlyList<LayerStatistics> Layers { get; init; }

    /// <summary>True when the optimizer step was not taken (vetoed by a remedy).</summary>
    public bool StepSkipped { get; init; }

    /// <summary>Global gradient norm after the remedies ran (equal to <see cref="GlobalGradientNorm"/> when nothing changed the gradients).</summary>
    public double GlobalGradientNormAfterRemedies { get; init; } = double.NaN;

    /// <summary>
    /// Cockpit's α for the previous step, measured when <see cref="GradientWatchOptions.MeasureStepSize"/> is on:
    /// where the step landed on a quadratic fitted along its direction. About 0: at the minimum; near −1: a timid
    /// step; clearly positive: overshooting (above 1 the loss grows). NaN when not measured.
    /// </summary>
    public double StepSizeAlpha { get; init; } = double.NaN;

    /// <summary>Time spent inside GradientWatch for this step, excluding the optimizer step itself.</summary>
    public TimeSpan Overhead { get; init; }

    /// <summary>Finds a layer by name, or returns null.</summary>
    public LayerStatistics? FindLayer(string name)
    {
        foreach (var layer in Layers)
        {
            if (layer.Name == name)
            {
                return layer;
            }
        }

        return null;
    }
}
