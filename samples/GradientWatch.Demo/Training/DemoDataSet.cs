namespace GradientWatch.Demo.Training;

/// <summary>
/// A synthetic regression data set the demo generates itself: y = sin(x0) + x1·x2 − x3²/2 (+ a little noise),
/// with x uniform in [−2, 2]. Generated with <see cref="Random"/> from a seed, so every run sees the same rows.
/// </summary>
internal sealed class DemoDataSet
{
    private DemoDataSet(float[][] features, float[] labels)
    {
        Features = features;
        Labels = labels;
    }

    /// <summary>Feature vectors, one per row.</summary>
    public IReadOnlyList<float[]> Features { get; }

    /// <summary>Regression targets, one per row.</summary>
    public IReadOnlyList<float> Labels { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Labels.Count;

    /// <summary>Number of features per row.</summary>
    public int FeatureCount => Features.Count == 0 ? 0 : Features[0].Length;

    /// <summary>Generates <paramref name="rows"/> rows of <paramref name="featureCount"/> features (at least 4).</summary>
    public static DemoDataSet Generate(int rows, int featureCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 4);
        var random = new Random(seed);
        var features = new float[rows][];
        var labels = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            var x = new float[featureCount];
            for (int f = 0; f < featureCount; f++)
            {
                x[f] = (float)((random.NextDouble() * 4) - 2);
            }

            double noise = (random.NextDouble() - 0.5) * 0.05;
            labels[r] = (float)(Math.Sin(x[0]) + (x[1] * x[2]) - (x[3] * x[3] / 2) + noise);
            features[r] = x;
        }

        return new DemoDataSet(features, labels);
    }
}
