using Microsoft.ML.Data;

namespace GradientWatch.ML.Inference;

/// <summary>
/// Output row of a multiclass module: softmax probabilities as <c>Score</c> (a vector with one slot per class) and the
/// arg-max as <c>PredictedLabel</c> (a key, 1-based). Sizes and key counts come from a schema definition.
/// </summary>
internal sealed class MulticlassScoreRow
{
    public VBuffer<float> Score;

    public uint PredictedLabel;
}
