using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GradientWatch.Statistics;
using static GradientWatch.Tests.Statistics.FusedReductionTests;

namespace GradientWatch.Tests.Statistics;

/// <summary>
/// The binary-exponent histogram of the fused pass against a straightforward double-precision reference (one
/// <see cref="Math.ILogB(double)"/> per element), at every vector width, for float32 and float64, and the quantile readers.
/// </summary>
public sealed class ExponentHistogramTests
{
    public static TheoryData<int, int> WidthsAndLengths()
    {
        var data = new TheoryData<int, int>();
        foreach (int bits in new[] { FusedReduction.VectorBits, Vector<byte>.Count * 8, 128, 0 }.Distinct())
        {
            foreach (int n in new[] { 0, 1, 15, 63, 64, 65, 2047, 2048, 2049, 4111, 70_001 })
            {
                data.Add(bits, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Float32RandomCountsEqualReference(int bits, int length)
    {
        var values = RandomFloats(length, 0.01, length + 3, zeroEvery: 7);
        AssertFloat(values, bits);
    }

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Float32WideRangeCountsEqualReference(int bits, int length)
    {
        // 40 decades in one block: most elements fall outside the vector kernel's window and are counted one by one.
        var rng = new Random(length);
        var values = Enumerable.Range(0, length).Select(i => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, (i % 41) - 30))).ToArray();
        AssertFloat(values, bits);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(0)]
    public void Float32DenormalsArePlacedByTheirExactExponent(int bits)
    {
        var rng = new Random(5);
        var values = Enumerable.Range(0, 9_001).Select(i => i % 3 == 0 ? (float)((rng.NextDouble() - 0.5) * 1e-3) : (float)((rng.NextDouble() - 0.5) * Math.Pow(10, -38 - (i % 8)))).ToArray();
        values[17] = float.Epsilon;
        values[18] = -float.Epsilon;
        values[19] = BitConverter.Int32BitsToSingle(0x007F_FFFF);
        Assert.Contains(values, float.IsSubnormal);
        var h = AssertFloat(values, bits);
        Assert.True(h[ExponentHistogram.IndexOfExponent(-127)] >= 1);
        Assert.True(h[ExponentHistogram.IndexOfExponent(GradientHistogram.MinExponent)] >= 2);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(0)]
    public void Float32HugeNanAndInfAreCountedExactly(int bits)
    {
        var values = RandomFloats(20_000, 1.0, 42, zeroEvery: 0);
        values[3] = float.NaN;
        values[5000] = float.PositiveInfinity;
        values[5001] = float.NegativeInfinity;
        values[19_999] = float.NaN;
        values[10] = float.MaxValue;
        values[11] = -3e38f;
        values[12] = 1e30f;
        var h = AssertFloat(values, bits);
        Assert.Equal(2, h[ExponentHistogram.NanIndex]);
        Assert.Equal(2, h[ExponentHistogram.InfinityIndex]);
        Assert.Equal(2, h[ExponentHistogram.IndexOfExponent(127)]);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(0)]
    public void Float32AllZerosFillTheZeroBucket(int bits)
    {
        var values = new float[10_000];
        values[77] = -0.0f;
        var h = AssertFloat(values, bits);
        Assert.Equal(10_000, h[ExponentHistogram.ZeroIndex]);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(0)]
    public void Float32ScaleJumpsBetweenBlocksCountEqualReference(int bits)
    {
        // The 512-bit kernel picks its window from the first block and moves it only when a block has many elements outside:
        // here the scale jumps by up to 2^60 every 700 elements (so blocks straddle jumps), a tiny first block leaves later
        // blocks above the window, and 200,003 elements cross several reductions of the sums.
        var rng = new Random(29);
        var values = new float[200_003];
        double scale = 1e-30;
        for (int i = 0; i < values.Length; i++)
        {
            if (i % 700 == 0 && i > 0)
            {
                scale = Math.ScaleB(1.0, rng.Next(-60, 61));
            }

            values[i] = i % 11 == 0 ? 0f : (float)((rng.NextDouble() - 0.5) * scale);
        }

        values[123_457] = float.NaN;
        values[150_000] = float.NegativeInfinity;
        values[150_001] = float.Epsilon;
        AssertFloat(values, bits);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    public void TheWindowFollowsScaleJumps(int bits)
    {
        // Stretches of 9,600 elements (ten blocks) whose scales differ by up to 2^60: after a jump, the first block falls
        // outside the window and moves it, so about one block in ten is counted one by one, not every block after it.
        var rng = new Random(31);
        var values = new float[192_000];
        double scale = 1.0;
        for (int i = 0; i < values.Length; i++)
        {
            if (i % 9_600 == 0)
            {
                scale = Math.ScaleB(1.0, rng.Next(-60, 61));
            }

            values[i] = i % 11 == 0 ? 0f : (float)((rng.NextDouble() - 0.5) * scale);
        }

        ExponentHistogram.PairCounter.CountedOneByOne = 0;
        AssertFloat(values, bits);
        if (HasPairKernel(bits))
        {
            Assert.InRange(ExponentHistogram.PairCounter.CountedOneByOne, 1, values.Length / 5);
        }
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    public void TheWindowCoversTheBulkOfGradientLikeData(int bits)
    {
        // Normal gradients with exact zeros: the 512-bit kernel's window (16 exponents under the first block's largest,
        // with one of headroom) holds all but a few of the non-zero elements, so almost nothing is counted one by one.
        var values = RandomFloats(262_144, 1e-3, 17, zeroEvery: 4);
        ExponentHistogram.PairCounter.CountedOneByOne = 0;
        AssertFloat(values, bits);
        if (HasPairKernel(bits))
        {
            Assert.InRange(ExponentHistogram.PairCounter.CountedOneByOne, 0, values.Length / 1000);
        }
    }

    /// <summary>Whether <see cref="FusedReduction"/> counts with the pair kernel of this width on this machine.</summary>
    private static bool HasPairKernel(int bits) => bits switch
    {
        512 => Avx512BW.IsSupported && FusedReduction.VectorBits >= 512,
        256 => Avx2.IsSupported && Vector<byte>.Count == 32,
        _ => Vector128.IsHardwareAccelerated,
    };

    [Fact]
    public void Float32RandomMixturesCountEqualReference()
    {
        // Random lengths and mixtures of zeros, subnormals, NaN/Inf, isolated outliers far above or below the bulk, and bulk
        // scales: every lane of the 512-bit kernel's packed exponent bytes must map back to its element.
        var rng = new Random(2026);
        for (int trial = 0; trial < 60; trial++)
        {
            var values = new float[rng.Next(0, 20_000)];
            double bulk = Math.ScaleB(1.0, rng.Next(-120, 100));
            double outlierRate = rng.NextDouble() * 0.05;
            for (int i = 0; i < values.Length; i++)
            {
                double u = rng.NextDouble();
                values[i] = u < 0.1 ? 0f
                    : u < 0.1 + outlierRate ? (float)((rng.NextDouble() - 0.5) * Math.ScaleB(1.0, rng.Next(-149, 128)))
                    : u < 0.1 + outlierRate + 0.001 ? (rng.Next(3) == 0 ? float.NaN : rng.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity)
                    : (float)((rng.NextDouble() - 0.5) * bulk);
            }

            AssertFloat(values, 512);
            AssertFloat(values, 256);
            AssertFloat(values, 128);
        }
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(0)]
    public void CountingTheHistogramLeavesTheMomentsUnchanged(int bits)
    {
        var values = RandomFloats(100_000, 0.02, 8, zeroEvery: 9);
        for (int i = 30_000; i < 31_000; i++)
        {
            values[i] *= 1e-20f; // a tiny stretch: re-read in double
        }

        values[50_000] = float.NaN;
        values[60_000] = float.PositiveInfinity;
        var plain = FusedReduction.Full(values, bits);
        var withHistogram = FusedReduction.Full(values, new long[ExponentHistogram.Length], bits);
        Assert.Equal(plain.Count, withHistogram.Count);
        Assert.Equal(plain.ZeroCount, withHistogram.ZeroCount);
        Assert.Equal(plain.NanCount, withHistogram.NanCount);
        Assert.Equal(plain.InfCount, withHistogram.InfCount);
        Assert.Equal(plain.MaxAbs, withHistogram.MaxAbs);
        Assert.Equal(plain.Sum, withHistogram.Sum, Math.Abs(plain.Sum) * 1e-6);
        Assert.Equal(plain.SumOfSquares, withHistogram.SumOfSquares, plain.SumOfSquares * 1e-6);
        Assert.True(plain.SumOfSquares > 0);
    }

    [Fact]
    public void Float64RandomTinyHugeAndNonFiniteCountsEqualReference()
    {
        var rng = new Random(3);
        var values = Enumerable.Range(0, 50_003).Select(i => (rng.NextDouble() - 0.5) * Math.Pow(10, (i % 700) - 350)).ToArray();
        values[1] = 0;
        values[2] = double.NaN;
        values[3] = double.NegativeInfinity;
        values[4] = double.Epsilon;
        values[5] = double.MaxValue;
        values[6] = Math.ScaleB(1.0, -149);
        values[7] = Math.ScaleB(1.0, 128);
        values[8] = Math.BitDecrement(Math.ScaleB(1.0, 128));
        var h = new long[ExponentHistogram.Length];
        var m = FusedReduction.Full(values, h);
        Assert.Equal(Reference(values), h);
        Assert.Equal(values.Length, h.Sum());
        Assert.Equal(1, m.NanCount);
        Assert.True(h[ExponentHistogram.BelowRangeIndex] > 0);
        Assert.True(h[ExponentHistogram.AboveRangeIndex] > 0);
        Assert.Equal(values.Count(v => v == 0), h[ExponentHistogram.ZeroIndex]);
    }

    [Fact]
    public void Float64NormalGradientsEqualReferenceAndMatchTheirFloat32Copy()
    {
        var singles = RandomFloats(33_333, 1e-4, 9, zeroEvery: 5);
        var doubles = singles.Select(v => (double)v).ToArray();
        var h64 = new long[ExponentHistogram.Length];
        FusedReduction.Full(doubles, h64);
        Assert.Equal(Reference(doubles), h64);
        var h32 = new long[ExponentHistogram.Length];
        FusedReduction.Full(singles, h32);
        Assert.Equal(h64, h32);
    }

    [Fact]
    public void HistogramAddsIntoTheCallersCounts()
    {
        var a = RandomFloats(5_000, 1.0, 1, zeroEvery: 3);
        var b = RandomFloats(7_000, 1e-6, 2, zeroEvery: 0);
        var h = new long[ExponentHistogram.Length];
        FusedReduction.Full(a, h);
        FusedReduction.Full(b, h);
        Assert.Equal(Reference(a.Concat(b).Select(v => (double)v).ToArray()), h);
    }

    [Fact]
    public void UnderflowCountsMatchADirectCount()
    {
        var rng = new Random(11);
        var values = Enumerable.Range(0, 40_000).Select(i => (float)((rng.NextDouble() - 0.5) * Math.Pow(2, -(i % 140)))).ToArray();
        values[0] = 0;
        values[1] = float.NaN;
        values[2] = MathF.ScaleB(1.0f, -14);
        values[3] = MathF.BitDecrement(MathF.ScaleB(1.0f, -14));
        values[4] = MathF.ScaleB(1.0f, -126);
        values[5] = MathF.BitDecrement(MathF.ScaleB(1.0f, -126));
        var h = new long[ExponentHistogram.Length];
        FusedReduction.Full(values, h);
        var histogram = new GradientHistogram(h);

        long fp16 = values.Count(v => v != 0 && float.IsFinite(v) && Math.Abs(v) < 6.103515625e-05f);
        long bf16 = values.Count(v => v != 0 && float.IsFinite(v) && Math.Abs(v) < 1.17549435e-38f);
        Assert.True(fp16 > 1000 && bf16 > 10, $"test data covers both ranges ({fp16}, {bf16})");
        Assert.Equal(fp16, histogram.CountNonZeroBelow(GradientHistogram.Float16MinNormalExponent));
        Assert.Equal(bf16, histogram.CountNonZeroBelow(GradientHistogram.BFloat16MinNormalExponent));
    }

    [Fact]
    public void FractionBelowIsExactAtPowersOfTwoAndQuantilesLandInTheRightBucket()
    {
        var values = RandomFloats(100_000, 0.05, 21, zeroEvery: 10);
        values[0] = float.NaN;
        var h = new long[ExponentHistogram.Length];
        FusedReduction.Full(values, h);
        var histogram = new GradientHistogram(h);
        var nonNan = values.Where(v => !float.IsNaN(v)).Select(v => Math.Abs((double)v)).OrderBy(v => v).ToArray();
        foreach (int e in new[] { -30, -12, -8, -5, -3, 0, 3 })
        {
            double x = Math.ScaleB(1.0, e);
            double expected = (double)nonNan.Count(v => v < x) / nonNan.Length;
            Assert.Equal(expected, histogram.FractionBelow(x), 12);
        }

        double between = histogram.FractionBelow(0.03);
        Assert.InRange(between, histogram.FractionBelow(Math.ScaleB(1.0, -6)), histogram.FractionBelow(Math.ScaleB(1.0, -5)));
        foreach (double q in new[] { 0.05, 0.25, 0.5, 0.9, 0.999 })
        {
            double exact = nonNan[(int)Math.Min(nonNan.Length - 1, Math.Ceiling(q * nonNan.Length) - 1)];
            double estimate = histogram.Quantile(q);
            if (exact == 0)
            {
                Assert.Equal(0, estimate);
            }
            else
            {
                Assert.InRange(estimate / exact, 0.5, 2.0);
            }
        }

        Assert.Equal((double)nonNan.Count(v => v == 0) / nonNan.Length, histogram.FractionBelow(Math.ScaleB(1.0, GradientHistogram.MinExponent)), 12);
        Assert.Equal(1.0, histogram.FractionBelow(double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Quantile(1.5));
    }

    [Fact]
    public void EmptyAndAllNanHistogramsHaveNoQuantiles()
    {
        var h = new long[ExponentHistogram.Length];
        Assert.True(double.IsNaN(new GradientHistogram(h).Quantile(0.5)));
        FusedReduction.Full(new[] { float.NaN, float.NaN }, h);
        var all = new GradientHistogram(h);
        Assert.Equal(2, all.NanCount);
        Assert.True(double.IsNaN(all.FractionBelow(1)));
        Assert.Empty(all.ExponentCounts);
    }

    private static long[] AssertFloat(float[] values, int bits)
    {
        var h = new long[ExponentHistogram.Length];
        var m = FusedReduction.Full(values, h, bits);
        Assert.Equal(Reference(values.Select(v => (double)v).ToArray()), h);
        Assert.Equal(values.Length, h.Sum());
        Assert.Equal(m.ZeroCount, h[ExponentHistogram.ZeroIndex]);
        return h;
    }

    /// <summary>One bucket per element, from <see cref="Math.ILogB(double)"/>: floor(log2 |x|), exact for subnormals too.</summary>
    private static long[] Reference(double[] values)
    {
        var h = new long[ExponentHistogram.Length];
        foreach (double v in values)
        {
            int index;
            if (double.IsNaN(v))
            {
                index = ExponentHistogram.NanIndex;
            }
            else if (double.IsInfinity(v))
            {
                index = ExponentHistogram.InfinityIndex;
            }
            else if (v == 0)
            {
                index = ExponentHistogram.ZeroIndex;
            }
            else
            {
                int e = Math.ILogB(v);
                index = e < -149 ? ExponentHistogram.BelowRangeIndex : e > 127 ? ExponentHistogram.AboveRangeIndex : ExponentHistogram.FirstExponentIndex + e + 149;
            }

            h[index]++;
        }

        return h;
    }
}
