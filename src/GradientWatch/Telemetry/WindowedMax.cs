namespace GradientWatch.Telemetry;

/// <summary>
/// Largest value recorded within a trailing time window, kept in a ring of coarse time buckets so that
/// memory and cost per value are constant. NaN values are ignored; +Inf counts as the largest value.
/// </summary>
/// <remarks>
/// The window is split into <see cref="BucketCount"/> buckets. A value stays visible for between
/// (BucketCount - 1) / BucketCount and 1 window after it was recorded, whoever reads it and however often,
/// so several readers (two Prometheus replicas, Prometheus plus OTLP) all see every spike.
/// </remarks>
internal sealed class WindowedMax
{
    /// <summary>Number of buckets the window is divided into.</summary>
    public const int BucketCount = 12;

    private readonly double[] maxima = new double[BucketCount];
    private readonly long[] bucketIds = new long[BucketCount];

    public WindowedMax()
    {
        Array.Fill(bucketIds, long.MinValue);
    }

    /// <summary>Records <paramref name="value"/> in the bucket <paramref name="bucket"/> (the current time bucket).</summary>
    public void Add(double value, long bucket)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        int i = Slot(bucket);
        if (bucketIds[i] != bucket)
        {
            bucketIds[i] = bucket;
            maxima[i] = value;
        }
        else if (value > maxima[i])
        {
            maxima[i] = value;
        }
    }

    /// <summary>The largest value recorded in the window ending at <paramref name="bucket"/>, or NaN when none.</summary>
    public double Max(long bucket)
    {
        double max = double.NaN;
        long oldest = bucket - BucketCount + 1;
        for (int i = 0; i < BucketCount; i++)
        {
            long id = bucketIds[i];
            if (id >= oldest && id <= bucket && (double.IsNaN(max) || maxima[i] > max))
            {
                max = maxima[i];
            }
        }

        return max;
    }

    private static int Slot(long bucket) => (int)(((bucket % BucketCount) + BucketCount) % BucketCount);
}
