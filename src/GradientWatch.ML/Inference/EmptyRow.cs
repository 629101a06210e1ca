namespace GradientWatch.ML.Inference;

/// <summary>Input of the mapping that adds the model key: it reads no column.</summary>
internal sealed class EmptyRow
{
}
