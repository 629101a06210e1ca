namespace GradientWatch.Demo.Reporting;

/// <summary>Turns a series into plottable points: non-finite values are dropped rather than drawn.</summary>
internal static class SeriesPoints
{
    /// <summary>The (x, y) pairs whose y is finite.</summary>
    public static (double[] X, double[] Y) Finite(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        var x = new List<double>(xs.Count);
        var y = new List<double>(ys.Count);
        for (int i = 0; i < Math.Min(xs.Count, ys.Count); i++)
        {
            if (double.IsFinite(ys[i]))
            {
                x.Add(xs[i]);
                y.Add(ys[i]);
            }
        }

        return (x.ToArray(), y.ToArray());
    }
}
