using GradientWatch.Statistics;

namespace GradientWatch;

/// <summary>
/// The distribution of one layer's |g| on one full-statistics step: a count per binary exponent
/// (bucket e holds 2^e ≤ |g| &lt; 2^(e+1)) from 2^<see cref="MinExponent"/> (float32's smallest subnormal) up to
/// float32's largest value, plus exact counts of zeros, NaN and ±Inf. float64 values outside that range are
/// counted in <see cref="BelowRangeCount"/> and <see cref="AboveRangeCount"/>. Computed from the exponent bits in
/// the same pass as the other statistics, so the counts are exact, not sampled.
/// </summary>
public sealed class GradientHistogram
{
    /// <summary>Lowest exponent with a bucket of its own: 2^-149 is float32's smallest subnormal (bfloat16's is 2^-133, float16's 2^-24).</summary>
    public const int MinExponent = -149;

    /// <summary>Highest exponent with a bucket of its own: float32's largest finite value is just below 2^128.</summary>
    public const int MaxExponent = 127;

    /// <summary>Exponent of float16's smallest normal value (2^-14 ≈ 6.1e-5); smaller magnitudes are subnormal or flush to zero in float16.</summary>
    public const int Float16MinNormalExponent = -14;

    /// <summary>Exponent of bfloat16's (and float32's) smallest normal value (2^-126 ≈ 1.2e-38).</summary>
    public const int BFloat16MinNormalExponent = -126;

    private readonly long[] counts;

    internal GradientHistogram(ReadOnlySpan<long> layout)
    {
        int first = ExponentHistogram.FirstExponentIndex;
        int last = ExponentHistogram.AboveRangeIndex - 1;
        while (first <= last && layout[first] == 0)
        {
            first++;
        }

        while (last >= first && layout[last] == 0)
        {
            last--;
        }

        counts = first <= last ? layout[first..(last + 1)].ToArray() : Array.Empty<long>();
        LowestExponent = first <= last ? MinExponent + first - ExponentHistogram.FirstExponentIndex : 0;
        ZeroCount = layout[ExponentHistogram.ZeroIndex];
        BelowRangeCount = layout[ExponentHistogram.BelowRangeIndex];
        AboveRangeCount = layout[ExponentHistogram.AboveRangeIndex];
        NanCount = layout[ExponentHistogram.NanIndex];
        InfinityCount = layout[ExponentHistogram.InfinityIndex];
        long total = 0;
        foreach (long c in layout)
        {
            total += c;
        }

        TotalCount = total;
    }

    /// <summary>Number of elements counted (every gradient element of the layer).</summary>
    public long TotalCount { get; }

    /// <summary>Elements exactly equal to zero (either sign).</summary>
    public long ZeroCount { get; }

    /// <summary>NaN elements.</summary>
    public long NanCount { get; }

    /// <summary>+Inf and −Inf elements.</summary>
    public long InfinityCount { get; }

    /// <summary>Non-zero finite elements with |g| &lt; 2^<see cref="MinExponent"/> (possible in float64 only).</summary>
    public long BelowRangeCount { get; }

    /// <summary>Finite elements with |g| ≥ 2^(<see cref="MaxExponent"/> + 1) (possible in float64 only).</summary>
    public long AboveRangeCount { get; }

    /// <summary>Exponent of the first entry of <see cref="ExponentCounts"/> (0 when it is empty).</summary>
    public int LowestExponent { get; }

    /// <summary>Exponent of the last entry of <see cref="ExponentCounts"/> (−1 when it is empty).</summary>
    public int HighestExponent => LowestExponent + counts.Length - 1;

    /// <summary>Counts per exponent from <see cref="LowestExponent"/> to <see cref="HighestExponent"/>: entry i holds 2^(LowestExponent+i) ≤ |g| &lt; 2^(LowestExponent+i+1).</summary>
    public IReadOnlyList<long> ExponentCounts => counts;

    /// <summary>Elements with 2^<paramref name="exponent"/> ≤ |g| &lt; 2^(<paramref name="exponent"/>+1).</summary>
    public long CountInExponent(int exponent)
    {
        int i = exponent - LowestExponent;
        return i >= 0 && i < counts.Length ? counts[i] : 0;
    }

    /// <summary>
    /// Non-zero finite elements with |g| &lt; 2^<paramref name="exponent"/>, exactly. With
    /// <see cref="Float16MinNormalExponent"/> these are the elements that turn subnormal or flush to zero in float16.
    /// </summary>
    public long CountNonZeroBelow(int exponent)
    {
        long n = exponent > MinExponent ? BelowRangeCount : 0;
        for (int i = 0; i < counts.Length && LowestExponent + i < exponent; i++)
        {
            n += counts[i];
        }

        if (exponent > MaxExponent + 1)
        {
            n += AboveRangeCount;
        }

        return n;
    }

    /// <summary>
    /// Fraction of the non-NaN elements with |g| &lt; <paramref name="x"/>. Exact when <paramref name="x"/> is a power
    /// of two; otherwise the bucket holding <paramref name="x"/> is split log-linearly. NaN when every element is NaN.
    /// </summary>
    public double FractionBelow(double x)
    {
        long denominator = TotalCount - NanCount;
        if (denominator == 0 || double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 0;
        }

        if (double.IsPositiveInfinity(x))
        {
            return (double)(denominator - InfinityCount) / denominator;
        }

        int e = Math.ILogB(x);
        double below = ZeroCount + CountNonZeroBelow(e);
        double within = e < MinExponent ? BelowRangeCount : e > MaxExponent ? AboveRangeCount : CountInExponent(e);
        double part = Math.Log2(x) - e;
        below += within * Math.Clamp(part, 0, 1);
        return below / denominator;
    }

    /// <summary>
    /// |g| at quantile <paramref name="q"/> (0 to 1) of the non-NaN elements, interpolated log-linearly inside its bucket
    /// (so within a factor of two of the exact value). NaN when every element is NaN.
    /// </summary>
    public double Quantile(double q)
    {
        if (double.IsNaN(q) || q < 0 || q > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must be between 0 and 1.");
        }

        long n = TotalCount - NanCount;
        if (n == 0)
        {
            return double.NaN;
        }

        double rank = q * n;
        double seen = ZeroCount;
        if (rank <= seen && ZeroCount > 0)
        {
            return 0;
        }

        seen += BelowRangeCount;
        if (rank <= seen && BelowRangeCount > 0)
        {
            return Math.ScaleB(1.0, MinExponent);
        }

        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0 && rank <= seen + counts[i])
            {
                double part = Math.Clamp((rank - seen) / counts[i], 0, 1);
                return Math.Pow(2, LowestExponent + i + part);
            }

            seen += counts[i];
        }

        if (AboveRangeCount > 0 && rank <= seen + AboveRangeCount)
        {
            return Math.ScaleB(1.0, MaxExponent + 1);
        }

        return InfinityCount > 0 ? double.PositiveInfinity : Math.ScaleB(1.0, HighestExponent + 1);
    }

    /// <inheritdoc/>
    public override string ToString()
        => TotalCount == 0 ? "empty" : $"{TotalCount} elements: zero {ZeroCount}, 2^{LowestExponent}..2^{HighestExponent + 1} {counts.Sum()}, NaN {NanCount}, Inf {InfinityCount}";
}
