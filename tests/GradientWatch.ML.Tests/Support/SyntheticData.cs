using Microsoft.ML;

namespace GradientWatch.ML.Tests.Support;

/// <summary>Deterministic synthetic data sets.</summary>
public static class SyntheticData
{
    /// <summary>y = sin(2·x1) + 0.5·x2² − 0.3·x3 on [−2, 2]³, with a little noise.</summary>
    public static IDataView Regression(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        var data = new RegressionRow[rows];
        for (int i = 0; i < rows; i++)
        {
            float x1 = Uniform(random, -2, 2), x2 = Uniform(random, -2, 2), x3 = Uniform(random, -2, 2);
            float y = MathF.Sin(2 * x1) + 0.5f * x2 * x2 - 0.3f * x3 + Uniform(random, -0.05f, 0.05f);
            data[i] = new RegressionRow { X1 = x1, X2 = x2, X3 = x3, Label = y };
        }

        return ml.Data.LoadFromEnumerable(data);
    }

    /// <summary>Label: inside the circle x1² + x2² &lt; 0.5 on [−1, 1]².</summary>
    public static IDataView Binary(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        var data = new BinaryRow[rows];
        for (int i = 0; i < rows; i++)
        {
            float x1 = Uniform(random, -1, 1), x2 = Uniform(random, -1, 1);
            data[i] = new BinaryRow { X1 = x1, X2 = x2, Label = x1 * x1 + x2 * x2 < 0.5f };
        }

        return ml.Data.LoadFromEnumerable(data);
    }

    /// <summary>Three Gaussian blobs with text labels.</summary>
    public static IDataView Multiclass(MLContext ml, int rows, int seed)
    {
        var random = new Random(seed);
        (float X, float Y, string Name)[] centers = [(0, 0, "red"), (3, 0, "green"), (0, 3, "blue")];
        var data = new MulticlassRow[rows];
        for (int i = 0; i < rows; i++)
        {
            var c = centers[i % centers.Length];
            data[i] = new MulticlassRow { X1 = c.X + Gaussian(random) * 0.7f, X2 = c.Y + Gaussian(random) * 0.7f, Label = c.Name };
        }

        return ml.Data.LoadFromEnumerable(data);
    }

    private static float Uniform(Random random, float low, float high) => low + (float)random.NextDouble() * (high - low);

    private static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
