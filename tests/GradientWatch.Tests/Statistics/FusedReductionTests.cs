using GradientWatch.Statistics;
using GradientWatch.Tests.Support;

namespace GradientWatch.Tests.Statistics;

public sealed class FusedReductionTests
{
    public static TheoryData<int, double, int> RandomCases()
    {
        var data = new TheoryData<int, double, int>();
        int seed = 1;
        foreach (int length in new[] { 0, 1, 7, 255, 256, 257, 1000, 4097, 65539, 300_001 })
        {
            foreach (double scale in new[] { 1e-6, 1.0, 1e4 })
            {
                data.Add(length, scale, seed++);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void FullMatchesDoubleReferenceOnRandomFloat32(int length, double scale, int seed)
    {
        var values = RandomFloats(length, scale, seed, zeroEvery: 11);
        AssertMatches(ReferenceStatistics.Of(values), FusedReduction.Full(values), full: true);
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void FullMatchesDoubleReferenceOnRandomFloat64(int length, double scale, int seed)
    {
        var values = RandomFloats(length, scale, seed, zeroEvery: 5).Select(v => (double)v * 1.0000001).ToArray();
        AssertMatches(ReferenceStatistics.Of(values), FusedReduction.Full(values), full: true);
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void NormOnlyMatchesReferenceNormMaxAndCounts(int length, double scale, int seed)
    {
        var values = RandomFloats(length, scale, seed, zeroEvery: 0);
        AssertMatches(ReferenceStatistics.Of(values), FusedReduction.NormOnly(values), full: false);
    }

    [Fact]
    public void AllZerosGiveZeroNormAndFullZeroFraction()
    {
        var values = new float[10_000];
        var m = FusedReduction.Full(values);
        Assert.Equal(0.0, m.Norm);
        Assert.Equal(0.0, m.MaxAbs);
        Assert.Equal(1.0, m.ZeroFraction);
        Assert.Equal(0.0, m.Mean);
        Assert.Equal(0.0, m.StandardDeviation);
        Assert.Equal(0, m.NonFiniteCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NanAndInfAreCountedExactlyAndPoisonTheNorm(bool normOnly)
    {
        var values = RandomFloats(20_000, 1.0, 42, zeroEvery: 0);
        values[3] = float.NaN;
        values[5000] = float.PositiveInfinity;
        values[5001] = float.NegativeInfinity;
        values[19_999] = float.NaN;
        values[12_345] = float.NaN;
        var m = normOnly ? FusedReduction.NormOnly(values) : FusedReduction.Full(values);
        var reference = ReferenceStatistics.Of(values);
        Assert.Equal(3, m.NanCount);
        Assert.Equal(2, m.InfCount);
        Assert.True(double.IsNaN(m.Norm));
        Assert.Equal(double.PositiveInfinity, m.MaxAbs);
        AssertMatches(reference, m, full: !normOnly);
    }

    [Fact]
    public void InfWithoutNanGivesInfiniteNorm()
    {
        var values = RandomFloats(5_000, 1.0, 3, zeroEvery: 0);
        values[4000] = float.NegativeInfinity;
        var m = FusedReduction.Full(values);
        Assert.Equal(double.PositiveInfinity, m.Norm);
        Assert.Equal(1, m.InfCount);
        Approx.Equal(ReferenceStatistics.Of(values).Mean, m.Mean, rel: 1e-5, abs: 1e-9, what: "mean of finite values");
    }

    [Fact]
    public void ValuesNearFloatMaxDoNotOverflowTheNorm()
    {
        var values = RandomFloats(4_096, 1.0, 9, zeroEvery: 0);
        values[10] = float.MaxValue;
        values[1000] = -float.MaxValue * 0.9f;
        values[2000] = 1e30f;
        var m = FusedReduction.Full(values);
        Assert.True(double.IsFinite(m.Norm));
        AssertMatches(ReferenceStatistics.Of(values), m, full: true);
    }

    [Fact]
    public void DenormalsAreMeasuredNotFlushed()
    {
        var rng = new Random(5);
        var values = Enumerable.Range(0, 8_192).Select(_ => (float)((rng.NextDouble() - 0.5) * 1e-40)).ToArray();
        Assert.Contains(values, v => v != 0 && float.IsSubnormal(v));
        var m = FusedReduction.Full(values);
        Assert.True(m.Norm > 0);
        AssertMatches(ReferenceStatistics.Of(values), m, full: true);
    }

    [Fact]
    public void MixedTinyAndHugeMagnitudesMatchReference()
    {
        var rng = new Random(17);
        var values = Enumerable.Range(0, 50_000).Select(i => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, (i % 60) - 30))).ToArray();
        AssertMatches(ReferenceStatistics.Of(values), FusedReduction.Full(values), full: true);
    }

    [Fact]
    public void HugeFloat64ValuesMatchScaledReference()
    {
        var values = Enumerable.Range(0, 3_000).Select(i => (i % 2 == 0 ? 1 : -1) * 1e150 * (1 + (i % 7))).ToArray();
        var m = FusedReduction.Full(values);
        AssertMatches(ReferenceStatistics.Of(values), m, full: true);
    }

    [Fact]
    public void SquaredDistanceMatchesReference()
    {
        var a = RandomFloats(70_001, 1.0, 1, 0);
        var b = RandomFloats(70_001, 1.0, 2, 0);
        double expected = a.Zip(b, (x, y) => ((double)x - y) * ((double)x - y)).Sum();
        Approx.Equal(expected, FusedReduction.SquaredDistance(a, b), rel: 1e-6);
        Assert.Equal(0.0, FusedReduction.SquaredDistance(a, a));
    }

    internal static float[] RandomFloats(int length, double scale, int seed, int zeroEvery)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            // Box-Muller normal samples with a small offset so that the mean is not exactly zero.
            double u1 = 1.0 - rng.NextDouble();
            double u2 = rng.NextDouble();
            double n = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            values[i] = (float)((n + 0.1) * scale);
            if (zeroEvery > 0 && i % zeroEvery == 0)
            {
                values[i] = 0;
            }
        }

        return values;
    }

    internal static void AssertMatches(ReferenceStatistics reference, GradientMoments m, bool full)
    {
        Assert.Equal(reference.Count, m.Count);
        Assert.Equal(reference.NanCount, m.NanCount);
        Assert.Equal(reference.InfCount, m.InfCount);
        Approx.Equal(reference.Norm, m.Norm, rel: 1e-5, what: "norm");
        Approx.Equal(reference.MaxAbs, m.MaxAbs, rel: 1e-7, what: "max |x|");
        if (!full)
        {
            return;
        }

        Assert.Equal(reference.ZeroCount, m.ZeroCount);
        double rms = reference.Count == 0 ? 0 : reference.Norm / Math.Sqrt(Math.Max(1, reference.Count - reference.NanCount - reference.InfCount));
        if (double.IsFinite(rms))
        {
            Approx.Equal(reference.Mean, m.Mean, rel: 1e-5, abs: 1e-6 * rms, what: "mean");
            Approx.Equal(reference.StandardDeviation, m.StandardDeviation, rel: 1e-5, abs: 1e-6 * rms, what: "std");
        }
    }
}
