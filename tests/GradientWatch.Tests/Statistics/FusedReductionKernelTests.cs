using System.Numerics;
using GradientWatch.Statistics;
using GradientWatch.Tests.Support;
using static GradientWatch.Tests.Statistics.FusedReductionTests;

namespace GradientWatch.Tests.Statistics;

/// <summary>
/// The vectorized kernels at every width this machine runs (512-bit, the <see cref="Vector{T}"/> width, scalar),
/// around every block boundary, through each re-read path, against the double-precision reference and each other.
/// </summary>
public sealed class FusedReductionKernelTests
{
    /// <summary>Widths to compare: the widest the machine accelerates, the Vector&lt;T&gt; width, and scalar.</summary>
    public static TheoryData<int> Widths()
    {
        var data = new TheoryData<int>();
        foreach (int bits in new[] { FusedReduction.VectorBits, Vector<byte>.Count * 8, 0 }.Distinct())
        {
            data.Add(bits);
        }

        return data;
    }

    /// <summary>Lengths around the block sizes of both widths (1024 and 2048 floats) and their vector sub-multiples.</summary>
    public static TheoryData<int, int> BoundaryCases()
    {
        var data = new TheoryData<int, int>();
        int[] lengths = { 1, 8, 15, 16, 17, 63, 64, 65, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 4095, 4096, 4097, 6150 };
        foreach (int bits in Widths())
        {
            foreach (int n in lengths)
            {
                data.Add(bits, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BoundaryCases))]
    public void EveryStatisticMatchesReferenceAroundBlockBoundaries(int bits, int length)
    {
        var values = RandomFloats(length, 0.01, length, zeroEvery: 7);
        var reference = ReferenceStatistics.Of(values);
        AssertMatches(reference, FusedReduction.Full(values, bits), full: true);
        AssertMatches(reference, FusedReduction.NormOnly(values, bits), full: false);
        Approx.Equal(values.Sum(v => (double)v), FusedReduction.Sum(values, bits), rel: 1e-5, abs: 1e-6 * reference.Norm, what: "sum");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void WidthsAgreeWithEachOtherOnLargeRandomData(int bits)
    {
        var values = RandomFloats(1_000_003, 1e-3, 77, zeroEvery: 13);
        var widest = FusedReduction.Full(values, FusedReduction.VectorBits);
        var m = FusedReduction.Full(values, bits);
        Assert.Equal(widest.Count, m.Count);
        Assert.Equal(widest.ZeroCount, m.ZeroCount);
        Assert.Equal(widest.MaxAbs, m.MaxAbs);
        Approx.Equal(widest.SumOfSquares, m.SumOfSquares, rel: 1e-6);
        Approx.Equal(widest.Sum, m.Sum, rel: 1e-5, abs: 1e-7 * Math.Sqrt(widest.SumOfSquares * values.Length));
        AssertMatches(ReferenceStatistics.Of(values), m, full: true);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void VanishingGradientsAreReReadInDoubleAndStayExact(int bits)
    {
        // Every block's max |x| is below the float32-safe range, so each block takes the vectorized double re-read.
        var values = RandomFloats(10_000, 1e-22, 4, zeroEvery: 9);
        var reference = ReferenceStatistics.Of(values);
        AssertMatches(reference, FusedReduction.Full(values, bits), full: true);
        AssertMatches(reference, FusedReduction.NormOnly(values, bits), full: false);
        Assert.True(FusedReduction.Full(values, bits).Norm > 0);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void HugeFiniteValuesAreReReadInDoubleWithoutOverflow(int bits)
    {
        var values = RandomFloats(10_000, 1e25, 5, zeroEvery: 0);
        values[1234] = float.MaxValue;
        values[4321] = -float.MaxValue;
        var m = FusedReduction.Full(values, bits);
        Assert.True(double.IsFinite(m.Norm));
        AssertMatches(ReferenceStatistics.Of(values), m, full: true);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void MixedBlocksTakeDifferentPathsAndStillSumExactly(int bits)
    {
        // Block-sized stretches: ordinary, tiny, huge, subnormal, NaN/Inf, ordinary again.
        var values = new List<float>();
        values.AddRange(RandomFloats(3000, 1.0, 1, zeroEvery: 5));
        values.AddRange(RandomFloats(3000, 1e-30, 2, zeroEvery: 5));
        values.AddRange(RandomFloats(3000, 1e30, 3, zeroEvery: 5));
        var rng = new Random(4);
        values.AddRange(Enumerable.Range(0, 3000).Select(_ => (float)((rng.NextDouble() - 0.5) * 1e-40)));
        var poisoned = RandomFloats(3000, 1.0, 5, zeroEvery: 0);
        poisoned[10] = float.NaN;
        poisoned[2000] = float.NegativeInfinity;
        values.AddRange(poisoned);
        values.AddRange(RandomFloats(3001, 1e-3, 6, zeroEvery: 3));
        var array = values.ToArray();
        var reference = ReferenceStatistics.Of(array);
        var m = FusedReduction.Full(array, bits);
        AssertMatches(reference, m, full: true);
        Assert.Equal(1, m.NanCount);
        Assert.Equal(1, m.InfCount);
        AssertMatches(reference, FusedReduction.NormOnly(array, bits), full: false);

        // Mean and std over the finite values, against the reference directly (AssertMatches skips them when the norm is NaN).
        Approx.Equal(reference.Mean, m.Mean, rel: 1e-5, abs: 1e-9 * 1e30, what: "mean of finite values");
        Approx.Equal(reference.StandardDeviation, m.StandardDeviation, rel: 1e-5, what: "std of finite values");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void NegativeZeroAndZerosAreCountedAsZeros(int bits)
    {
        var values = RandomFloats(5000, 1.0, 8, zeroEvery: 0);
        for (int i = 0; i < values.Length; i += 3)
        {
            values[i] = i % 2 == 0 ? 0f : -0f;
        }

        var m = FusedReduction.Full(values, bits);
        Assert.Equal(values.Count(v => v == 0), m.ZeroCount);
        AssertMatches(ReferenceStatistics.Of(values), m, full: true);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SquaredDistanceMatchesReferenceForSmallUpdates(int bits)
    {
        _ = bits; // SquaredDistance uses the Vector<T> width; run once per width row for symmetry with the others.
        var w = RandomFloats(100_003, 0.05, 11, zeroEvery: 0);
        var rng = new Random(12);
        var after = w.Select(x => x - (float)((rng.NextDouble() - 0.5) * 1e-5)).ToArray();
        double expected = w.Zip(after, (x, y) => ((double)x - y) * ((double)x - y)).Sum();
        Approx.Equal(expected, FusedReduction.SquaredDistance(after, w), rel: 1e-5);
    }
}
