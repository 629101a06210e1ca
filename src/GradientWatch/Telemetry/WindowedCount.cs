namespace GradientWatch.Telemetry;

/// <summary>
/// Number of events recorded within a trailing time window, kept in a ring of coarse time buckets (like
/// <see cref="WindowedMax"/>), so that memory and cost per event are constant.
/// </summary>
/// <remarks>
/// An event stays counted for between (BucketCount - 1) / BucketCount and 1 window after it happened, whoever
/// reads the count and however often. A scrape anywhere in that time sees it, even the first scrape of a run
/// whose events came before it: the reason this exists next to the cumulative counters.
/// </remarks>
internal sealed class WindowedCount
{
    private readonly long[] counts = new long[WindowedMax.BucketCount];
    private readonly long[] bucketIds = new long[WindowedMax.BucketCount];

    public WindowedCount()
    {
        Array.Fill(bucketIds, long.MinValue);
    }

    /// <summary>Counts one event in the bucket <paramref name="bucket"/> (the current time bucket).</summary>
    public void Add(long bucket)
    {
        int i = Slot(bucket);
        if (bucketIds[i] != bucket)
        {
            bucketIds[i] = bucket;
            counts[i] = 0;
        }

        counts[i]++;
    }

    /// <summary>The events recorded in the window ending at <paramref name="bucket"/>.</summary>
    public long Count(long bucket)
    {
        long total = 0;
        long oldest = bucket - WindowedMax.BucketCount + 1;
        for (int i = 0; i < counts.Length; i++)
        {
            long id = bucketIds[i];
            if (id >= oldest && id <= bucket)
            {
                total += counts[i];
            }
        }

        return total;
    }

    private static int Slot(long bucket) => (int)(((bucket % WindowedMax.BucketCount) + WindowedMax.BucketCount) % WindowedMax.BucketCount);
}
