namespace GradientWatch.ML.Inference;

/// <summary>Output row of a binary classification module: the logit as <c>Score</c>, its sigmoid as <c>Probability</c>, and <c>PredictedLabel</c> = Score &gt; 0.</summary>
internal sealed class BinaryScoreRow
{
    public float Score;

    public float Probability;

    public bool PredictedLabel;
}
