using System.Runtime.InteropServices;

namespace GradientWatch.Statistics;

/// <summary>
/// Additive summary of a block of gradient (or weight) values, accumulated in double precision.
/// Sums cover the finite elements only; non-finite elements are counted separately, so that the
/// mean and standard deviation stay informative while the norm reports the poison.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GradientMoments
{
    /// <summary>Number of elements seen, finite or not.</summary>
    public long Count;

    /// <summary>Number of NaN elements.</summary>
    public long NanCount;

    /// <summary>Number of +Inf or -Inf elements.</summary>
    public long InfCount;

    /// <summary>Number of elements exactly equal to zero (either sign).</summary>
    public long ZeroCount;

    /// <summary>Sum of the finite elements.</summary>
    public double Sum;

    /// <summary>Sum of squares of the finite elements.</summary>
    public double SumOfSquares;

    /// <summary>Largest absolute value among the non-NaN elements (Inf when an Inf is present).</summary>
    public double MaxAbs;

    /// <summary>Σ(x − reference)² over the compared elements, for passes that also measure the weight update.</summary>
    public double DistanceSquared;

    /// <summary>Number of elements compared for <see cref="DistanceSquared"/> (fewer than <see cref="Count"/> when sampled).</summary>
    public long DistanceCount;

    /// <summary>True when the moments hold only the sum of squares (the cheap norm pass).</summary>
    public bool NormOnly;

    public readonly long NonFiniteCount => NanCount + InfCount;

    public readonly long FiniteCount => Count - NanCount - InfCount;

    /// <summary>L2 norm over every element: NaN if any NaN, +Inf if any Inf, else sqrt(Σx²).</summary>
    public readonly double Norm => NanCount > 0 ? double.NaN : InfCount > 0 ? double.PositiveInfinity : Math.Sqrt(SumOfSquares);

    public readonly double Mean => FiniteCount > 0 ? Sum / FiniteCount : double.NaN;

    /// <summary>Population standard deviation of the finite elements.</summary>
    public readonly double StandardDeviation
    {
        get
        {
            long n = FiniteCount;
            if (n == 0)
            {
                return double.NaN;
            }

            double mean = Sum / n;
            double variance = (SumOfSquares / n) - (mean * mean);
            return variance > 0 ? Math.Sqrt(variance) : 0.0;
        }
    }

    public readonly double ZeroFraction => Count > 0 ? (double)ZeroCount / Count : double.NaN;

    public void Add(in GradientMoments other)
    {
        Count += other.Count;
        NanCount += other.NanCount;
        InfCount += other.InfCount;
        ZeroCount += other.ZeroCount;
        Sum += other.Sum;
        SumOfSquares += other.SumOfSquares;
        DistanceSquared += other.DistanceSquared;
        DistanceCount += other.DistanceCount;
        if (other.MaxAbs > MaxAbs || double.IsNaN(MaxAbs))
        {
            MaxAbs = other.MaxAbs;
        }

        NormOnly |= other.NormOnly;
    }
}
