namespace GradientWatch.ML.Training;

/// <summary>
/// Training rows read once from the IDataView into contiguous buffers: features row-major (<see cref="Rows"/> ×
/// <see cref="FeatureCount"/>), float targets (regression, binary) or class indices from 0 (multiclass). Only the
/// first <see cref="Rows"/> rows of each buffer are valid.
/// </summary>
internal sealed class TrainingData
{
    public required float[] Features { get; init; }

    public required int FeatureCount { get; init; }

    public float[]? Targets { get; init; }

    public long[]? Classes { get; init; }

    public required int Rows { get; init; }

    public required long SkippedRows { get; init; }
}
