namespace GradientWatch.ML.Inference;

/// <summary>Output row of a regression module: ML.NET's <c>Score</c>.</summary>
internal sealed class RegressionScoreRow
{
    public float Score;
}
