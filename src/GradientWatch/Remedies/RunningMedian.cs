namespace GradientWatch.Remedies;

/// <summary>Median of the last <c>capacity</c> finite values added (a ring buffer; memory stays flat over long runs).</summary>
internal sealed class RunningMedian
{
    private readonly double[] values;
    private readonly double[] scratch;
    private int next;

    public RunningMedian(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        values = new double[capacity];
        scratch = new double[capacity];
    }

    /// <summary>Values currently held (at most the capacity).</summary>
    public int Count { get; private set; }

    /// <summary>Adds a value, dropping the oldest once full; non-finite values are ignored.</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        values[next] = value;
        next = (next + 1) % values.Length;
        Count = Math.Min(Count + 1, values.Length);
    }

    /// <summary>The median of the values held (the mean of the middle two for an even count); NaN when empty.</summary>
    public double Median()
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var held = scratch.AsSpan(0, Count);
        values.AsSpan(0, Count).CopyTo(held);
        held.Sort();
        return Count % 2 == 1 ? held[Count / 2] : (held[(Count / 2) - 1] + held[Count / 2]) / 2;
    }
}
