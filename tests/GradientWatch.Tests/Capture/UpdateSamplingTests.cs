using GradientWatch.Capture;
using GradientWatch.Statistics;
using GradientWatch.Tests.Statistics;
using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Capture;

public sealed class UpdateSamplingTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 10)]
    [InlineData(64, 64)]
    [InlineData(511, 64)]
    [InlineData(512, 64)]
    [InlineData(513, 65)]
    [InlineData(1100, 128 + 12)]
    [InlineData(1030, 128 + 6)]
    [InlineData(65536, 8192)]
    public void SampledLengthTakesOneBlockInEight(long length, int expected) => Assert.Equal(expected, UpdateSampling.SampledLength(length));

    [Fact]
    public void SampledBlocksAreSpreadOverEveryPosition()
    {
        // With 512-element rows, a fixed block would sample the same 64 columns of every row.
        var positions = Enumerable.Range(0, 128).Select(p => UpdateSampling.SampledBlock(p, long.MaxValue).Start / UpdateSampling.Block).ToArray();
        Assert.Equal(UpdateSampling.Stride, positions.Distinct().Count());
        Assert.All(positions.GroupBy(x => x), g => Assert.InRange(g.Count(), 8, 24));
    }

    [Fact]
    public unsafe void SampledCopyAndDistanceMatchAManualSampleAcrossChunks()
    {
        const int n = 300_001; // several chunks and a ragged end
        var before = FusedReductionTests.RandomFloats(n, 1.0, 1, 0);
        var after = FusedReductionTests.RandomFloats(n, 1.0, 2, 0);
        var buffer = new float[UpdateSampling.SampledLength(n)];
        var pass = new TensorPass();
        var norms = new GradientMoments[1];
        var distance = new GradientMoments[1];
        fixed (float* b = before, a = after, t = buffer)
        {
            pass.Add(0, PassOperation.SampledCopy, (IntPtr)b, (IntPtr)t, n, isDouble: false);
            pass.Run(norms, maxDegreeOfParallelism: 2);
            pass.Clear();
            pass.Add(0, PassOperation.NormAndSampledDistance, (IntPtr)a, (IntPtr)t, n, isDouble: false);
            pass.Run(distance, maxDegreeOfParallelism: 2);
        }

        // The sample, recomputed independently: per chunk of the pass, per period, the hashed block.
        var sampled = new List<int>();
        for (int chunk = 0; chunk < n; chunk += TensorPass.ChunkElements)
        {
            int length = Math.Min(TensorPass.ChunkElements, n - chunk);
            for (int p = 0; p * UpdateSampling.Period < length; p++)
            {
                var (start, count) = UpdateSampling.SampledBlock(p, length);
                sampled.AddRange(Enumerable.Range(chunk + (p * UpdateSampling.Period) + start, count));
            }
        }

        Assert.Equal(sampled.Count, sampled.Distinct().Count());
        Assert.Equal(sampled.Count, (int)distance[0].DistanceCount);
        Assert.InRange(sampled.Count, (n / 8) - 64, (n / 8) + 64);
        double expected = sampled.Sum(i => ((double)after[i] - before[i]) * ((double)after[i] - before[i]));
        Approx.Equal(expected, distance[0].DistanceSquared, rel: 1e-6); // each 64-element block is summed in float
        Approx.Equal(ReferenceStatistics.Of(after).Norm, distance[0].Norm, rel: 1e-6);
        Assert.Equal(n, distance[0].Count);
        Assert.Equal(0, norms[0].Count); // a copy measures nothing
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LargeTensorUpdateRatioIsEstimatedFromTheSampleOrMeasuredExactly(bool sample)
    {
        torch.manual_seed(12);
        const double lr = 0.01;
        using var model = nn.Sequential(("big", (nn.Module<Tensor, Tensor>)nn.Linear(512, 512)), ("head", nn.Linear(512, 1)));
        using var optimizer = optim.SGD(model.parameters(), lr);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => { o.FullStatisticsInterval = 1; o.SampleUpdateRatio = sample; }));
        using (var loss = model.call(torch.randn(64, 512)).square().mean())
        {
            loss.backward();
        }

        var big = watch.Step().FindLayer("big")!;
        double exact = lr * big.GradientNorm / big.WeightNorm; // plain SGD: Δw = −lr·g
        Approx.Equal(exact, big.UpdateToWeightRatio, rel: sample ? 0.05 : 1e-4, what: "update ratio");
    }
}
