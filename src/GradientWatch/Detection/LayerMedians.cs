namespace GradientWatch.Detection;

/// <summary>
/// Per layer, the median of a value over its last N observations: a persistence test that one noisy step neither trips
/// nor resets (the condition holds when the median does, so it must hold on more than half of the window).
/// </summary>
internal sealed class LayerMedians
{
    private readonly int window;
    private double[][] values = Array.Empty<double[]>();
    private int[] counts = Array.Empty<int>();
    private int[] next = Array.Empty<int>();
    private double[] sorted = Array.Empty<double>();

    public LayerMedians(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        this.window = window;
    }

    /// <summary>
    /// Adds <paramref name="value"/> of every layer and returns each layer's median over its last N values, or NaN for
    /// a layer with fewer than N values so far.
    /// </summary>
    public double[] Update(IReadOnlyList<LayerStatistics> layers, Func<LayerStatistics, double> value)
    {
        if (counts.Length != layers.Count)
        {
            values = new double[layers.Count][];
            counts = new int[layers.Count];
            next = new int[layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                values[i] = new double[window];
            }

            sorted = new double[window];
        }

        var medians = new double[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            values[i][next[i]] = value(layers[i]);
            next[i] = (next[i] + 1) % window;
            counts[i] = Math.Min(counts[i] + 1, window);
            medians[i] = counts[i] < window ? double.NaN : Median(values[i]);
        }

        return medians;
    }

    /// <summary>The median of <paramref name="windowValues"/> (the mean of the two middle values for an even length).</summary>
    private double Median(double[] windowValues)
    {
        windowValues.CopyTo(sorted, 0);
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
