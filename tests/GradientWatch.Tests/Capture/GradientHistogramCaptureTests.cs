using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Capture;

/// <summary>Per-layer histograms and underflow fractions from a real backward pass, on the fused path and the torch-ops (device) path.</summary>
public sealed class GradientHistogramCaptureTests
{
    [Theory]
    [InlineData(ScalarType.Float32, false)]
    [InlineData(ScalarType.Float64, false)]
    [InlineData(ScalarType.Float32, true)]
    [InlineData(ScalarType.Float64, true)]
    public void LayerHistogramsEqualADirectCountOfTheGradients(ScalarType dtype, bool torchOpsPath)
    {
        torch.manual_seed(3);
        using var model = TestModels.Nested(6, 40, 3, dtype);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1));
        watch.Capture.ForceTorchOps = torchOpsPath;
        GradientCaptureTests.Backward(model, dtype, batch: 16);
        var fc1 = model.named_parameters().Single(p => p.name == "encoder.2.fc1.weight").parameter;
        using (var g = fc1.grad!)
        using (torch.no_grad())
        {
            g[0, 1] = torch.tensor(float.NaN);
            g[2, 2] = torch.tensor(float.NegativeInfinity);
            g[3, 3] = torch.tensor(0.0f);
            g[4, 4] = torch.tensor(1e-41f);        // float32 subnormal
            g[5, 5] = torch.tensor(3e-6f);         // below float16's smallest normal
            g[6, 6] = torch.tensor(-1e30f);
        }

        var expected = GradientsByLayer(model);
        var snapshot = watch.Step();

        foreach (var layer in snapshot.Layers)
        {
            var values = expected[layer.Name];
            var h = layer.Histogram!;
            Assert.NotNull(h);
            Assert.Equal(values.Count, h.TotalCount);
            Assert.Equal(values.Count(v => v == 0), h.ZeroCount);
            Assert.Equal(values.Count(double.IsNaN), h.NanCount);
            Assert.Equal(values.Count(double.IsInfinity), h.InfinityCount);
            foreach (var bucket in values.Where(v => double.IsFinite(v) && v != 0).GroupBy(v => Math.ILogB(v)))
            {
                Assert.Equal(bucket.Count(), h.CountInExponent(bucket.Key));
            }

            Assert.Equal(values.Count(v => double.IsFinite(v) && v != 0), h.ExponentCounts.Sum());
            double fp16 = (double)values.Count(v => v != 0 && Math.Abs(v) < Math.ScaleB(1.0, -14)) / values.Count;
            double bf16 = (double)values.Count(v => v != 0 && Math.Abs(v) < Math.ScaleB(1.0, -126)) / values.Count;
            Assert.Equal(fp16, layer.Float16UnderflowFraction, 15);
            Assert.Equal(bf16, layer.BFloat16UnderflowFraction, 15);
        }

        var injected = snapshot.FindLayer("encoder.2.fc1")!;
        Assert.Equal(1, injected.Histogram!.NanCount);
        Assert.True(injected.Histogram.CountInExponent(Math.ILogB(1e-41f)) >= 1);
        Assert.True(injected.Float16UnderflowFraction > 0);
        Assert.True(injected.BFloat16UnderflowFraction > 0);
    }

    [Fact]
    public void LargeLayersCountedInParallelChunksEqualADirectCount()
    {
        torch.manual_seed(4);
        using var model = TestModels.Nested(300, 700, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.MaxDegreeOfParallelism = 2));
        GradientCaptureTests.Backward(model, ScalarType.Float32, batch: 4);
        var expected = GradientsByLayer(model);
        var snapshot = watch.Step();
        Assert.True(watch.Capture.HasHistograms);
        foreach (var layer in snapshot.Layers)
        {
            var values = expected[layer.Name];
            var h = layer.Histogram!;
            Assert.Equal(values.Count, h.TotalCount);
            Assert.Equal(values.Count(v => v == 0), h.ZeroCount);
            foreach (var bucket in values.Where(v => v != 0).GroupBy(v => Math.ILogB(v)))
            {
                Assert.Equal(bucket.Count(), h.CountInExponent(bucket.Key));
            }
        }
    }

    [Fact]
    public void HistogramsOnlyOnFullStatisticsStepsAndWhenEnabled()
    {
        torch.manual_seed(5);
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 2));
        GradientCaptureTests.Backward(model, ScalarType.Float32, 8);
        Assert.All(watch.Step().Layers, l => Assert.NotNull(l.Histogram));
        optimizer.zero_grad();
        GradientCaptureTests.Backward(model, ScalarType.Float32, 8);
        var partial = watch.Step();
        Assert.All(partial.Layers, l => Assert.Null(l.Histogram));
        Assert.All(partial.Layers, l => Assert.True(double.IsNaN(l.Float16UnderflowFraction)));

        using var off = model.WatchGradients(optimizer, w => w.Configure(o => o.MeasureGradientHistograms = false));
        optimizer.zero_grad();
        GradientCaptureTests.Backward(model, ScalarType.Float32, 8);
        var noHistogram = off.Step();
        Assert.True(noHistogram.IsFullStatistics);
        Assert.All(noHistogram.Layers, l => Assert.Null(l.Histogram));
        Assert.All(noHistogram.Layers, l => Assert.False(double.IsNaN(l.StandardDeviation)));
    }

    [Fact]
    public void HalfPrecisionTensorsAreCountedWithTorchOps()
    {
        // float16 and bfloat16 tensors never take the fused path; the torch-ops histogram covers them.
        using var scope = torch.NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
        {
            var values = torch.tensor(new float[] { 0, -0f, 1e-7f, 6e-5f, 1.5f, -3f, 65504f, float.NaN, float.PositiveInfinity }).to_type(dtype);
            var counts = GradientWatch.Capture.GradientCapture.TorchHistogram(values).data<double>().ToArray();
            var asDouble = values.to_type(ScalarType.Float64).data<double>().ToArray();
            var reference = new long[GradientWatch.Statistics.ExponentHistogram.Length];
            foreach (double v in asDouble)
            {
                reference[GradientWatch.Statistics.ExponentHistogram.IndexOf(v)]++;
            }

            Assert.Equal(reference, counts.Select(c => (long)c).ToArray());
        }
    }

    private static Dictionary<string, List<double>> GradientsByLayer(nn.Module model)
    {
        var result = new Dictionary<string, List<double>>();
        foreach (var (name, p) in model.named_parameters())
        {
            string layer = name[..name.LastIndexOf('.')];
            if (!result.TryGetValue(layer, out var list))
            {
                result[layer] = list = new List<double>();
            }

            using var g = p.grad;
            if (g is not null)
            {
                list.AddRange(g.to_type(ScalarType.Float64).data<double>().ToArray());
            }
        }

        return result;
    }
}
