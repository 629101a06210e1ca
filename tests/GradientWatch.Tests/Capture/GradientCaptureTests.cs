using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Capture;

public sealed class GradientCaptureTests
{
    [Theory]
    [InlineData(ScalarType.Float32, false)]
    [InlineData(ScalarType.Float64, false)]
    [InlineData(ScalarType.Float32, true)]
    [InlineData(ScalarType.Float64, true)]
    public void EveryLayerStatisticMatchesDoubleReference(ScalarType dtype, bool torchOpsPath)
    {
        torch.manual_seed(7);
        using var model = TestModels.Nested(6, 16, 3, dtype);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1));
        watch.Capture.ForceTorchOps = torchOpsPath;

        Backward(model, dtype, batch: 32);
        var expected = GradientsByLayer(model);
        var snapshot = watch.Step();

        Assert.True(snapshot.IsFullStatistics);
        Assert.Equal(expected.Keys, snapshot.Layers.Select(l => l.Name));
        double globalSq = 0;
        foreach (var layer in snapshot.Layers)
        {
            var reference = ReferenceStatistics.Of(expected[layer.Name]);
            globalSq += reference.Norm * reference.Norm;
            Assert.Equal(reference.Count, layer.ElementCount);
            Approx.Equal(reference.Norm, layer.GradientNorm, what: layer.Name + " norm");
            Approx.Equal(reference.MaxAbs, layer.MaxAbs, rel: 1e-6, what: layer.Name + " max");
            Approx.Equal(reference.Mean, layer.Mean, rel: 1e-5, abs: 1e-6 * reference.StandardDeviation, what: layer.Name + " mean");
            Approx.Equal(reference.StandardDeviation, layer.StandardDeviation, rel: 1e-5, what: layer.Name + " std");
            Approx.Equal(reference.ZeroFraction, layer.ZeroFraction, rel: 0, abs: 1e-12, what: layer.Name + " zeros");
            Assert.Equal(0, layer.NanCount);
            Assert.Equal(0, layer.InfCount);
            Assert.True(layer.WeightNorm > 0);
            Approx.Equal(layer.GradientNorm / layer.WeightNorm, layer.GradientToWeightRatio, rel: 1e-12);
        }

        Approx.Equal(Math.Sqrt(globalSq), snapshot.GlobalGradientNorm, what: "global norm");
    }

    [Fact]
    public void LayerNamesAreModulePathsFromNamedModules()
    {
        torch.manual_seed(1);
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer);
        var modulePaths = model.named_modules().Select(m => m.name).ToHashSet();

        Assert.Equal(new[] { "encoder.0", "encoder.2.fc1", "encoder.2.fc2", "encoder.3.fc1", "encoder.3.fc2", "head" }, watch.LayerNames);
        Assert.All(watch.LayerNames, name => Assert.Contains(name, modulePaths));
    }

    [Theory]
    [InlineData(LayerGrouping.Parameter, 1, new[] { "encoder.0.weight", "encoder.0.bias", "encoder.2.fc1.weight", "encoder.2.fc1.bias" })]
    [InlineData(LayerGrouping.ModulePathDepth, 1, new[] { "encoder", "head" })]
    [InlineData(LayerGrouping.ModulePathDepth, 2, new[] { "encoder.0", "encoder.2", "encoder.3", "head" })]
    public void GroupingIsConfigurable(LayerGrouping grouping, int depth, string[] expectedPrefix)
    {
        torch.manual_seed(1);
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => { o.Grouping = grouping; o.GroupingDepth = depth; }));
        Assert.Equal(expectedPrefix, watch.LayerNames.Take(expectedPrefix.Length));

        Backward(model, ScalarType.Float32, 8);
        double reference = Math.Sqrt(model.parameters().Sum(p => TestModels.Values(p.grad!).Sum(v => v * v)));
        var snapshot = watch.Step();
        Approx.Equal(reference, snapshot.GlobalGradientNorm);
        // The layers partition the parameters: their norms combine to the global norm (both from the same double sums), while
        // both match the double-precision reference only to float32 accumulation (the line above).
        Approx.Equal(snapshot.GlobalGradientNorm, Math.Sqrt(snapshot.Layers.Sum(l => l.GradientNorm * l.GradientNorm)), rel: 1e-9);
    }

    [Fact]
    public void FrozenAndUnusedParametersAreReportedAsFrozen()
    {
        torch.manual_seed(3);
        var used = nn.Linear(4, 4);
        var frozen = nn.Linear(4, 4);
        var unused = nn.Linear(4, 4);
        foreach (var p in frozen.parameters())
        {
            p.requires_grad = false;
        }

        using var model = nn.Sequential(("frozen", (nn.Module<Tensor, Tensor>)frozen), ("used", used), ("unused", unused));
        using var optimizer = optim.SGD(model.parameters().Where(p => p.requires_grad), 0.1);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1));
        using (var x = torch.randn(8, 4))
        using (var loss = used.call(frozen.call(x)).square().mean())
        {
            loss.backward();
        }

        var snapshot = watch.Step();
        Assert.True(snapshot.FindLayer("frozen")!.IsFrozen);
        Assert.True(snapshot.FindLayer("unused")!.IsFrozen);
        Assert.False(snapshot.FindLayer("used")!.IsFrozen);
        Assert.True(snapshot.FindLayer("used")!.GradientNorm > 0);
        Assert.True(double.IsFinite(snapshot.GlobalGradientNorm));
        Assert.False(snapshot.HasNonFinite);
    }

    [Fact]
    public void ModelWithOverOneHundredParameterTensorsMatchesReference()
    {
        torch.manual_seed(11);
        using var model = TestModels.Mlp(8, 12, 1, depth: 60, () => nn.Tanh());
        Assert.True(model.parameters().Count() >= 100);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1));
        Backward(model, ScalarType.Float32, 16, inputs: 8, outputs: 1);
        var expected = GradientsByLayer(model);
        var snapshot = watch.Step();
        Assert.Equal(60, snapshot.Layers.Count);
        foreach (var layer in snapshot.Layers)
        {
            var reference = ReferenceStatistics.Of(expected[layer.Name]);
            Approx.Equal(reference.Norm, layer.GradientNorm, what: layer.Name);
            Approx.Equal(reference.StandardDeviation, layer.StandardDeviation, what: layer.Name + " std");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NonFiniteGradientIsCountedAndForcesFullStatistics(bool torchOpsPath)
    {
        torch.manual_seed(5);
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1000));
        watch.Capture.ForceTorchOps = torchOpsPath;
        Backward(model, ScalarType.Float32, 8);
        watch.Step(); // step 1 is always full
        optimizer.zero_grad();
        Backward(model, ScalarType.Float32, 8);
        var fc1 = model.named_parameters().Single(p => p.name == "encoder.2.fc1.weight").parameter;
        using (var g = fc1.grad!)
        using (torch.no_grad())
        {
            g[0, 1] = torch.tensor(float.NaN);
            g[2, 2] = torch.tensor(float.PositiveInfinity);
            g[3, 3] = torch.tensor(float.NaN);
        }

        var snapshot = watch.Step(loss: 0.5);
        Assert.True(snapshot.HasNonFinite);
        Assert.True(snapshot.IsFullStatistics);
        Assert.True(double.IsNaN(snapshot.GlobalGradientNorm));
        var layer = snapshot.FindLayer("encoder.2.fc1")!;
        Assert.Equal(2, layer.NanCount);
        Assert.Equal(1, layer.InfCount);
        Assert.All(snapshot.Layers.Where(l => l.Name != "encoder.2.fc1"), l => Assert.False(l.HasNonFinite));
    }

    [Fact]
    public void NonFiniteLossIsFlagged()
    {
        torch.manual_seed(5);
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer);
        Backward(model, ScalarType.Float32, 8);
        var snapshot = watch.Step(double.PositiveInfinity);
        Assert.True(snapshot.HasNonFinite);
        Assert.True(double.IsFinite(snapshot.GlobalGradientNorm));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UpdateRatioEqualsLearningRateTimesGradientNormForSgd(bool torchOpsPath)
    {
        torch.manual_seed(9);
        const double lr = 0.05;
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), lr);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1));
        watch.Capture.ForceTorchOps = torchOpsPath;
        Backward(model, ScalarType.Float32, 8);
        var snapshot = watch.Step();
        foreach (var layer in snapshot.Layers)
        {
            // Plain SGD: Δw = −lr·g, so ‖Δw‖/‖w‖ = lr·‖g‖/‖w‖.
            Approx.Equal(lr * layer.GradientNorm / layer.WeightNorm, layer.UpdateToWeightRatio, rel: 1e-4, what: layer.Name);
        }
    }

    [Fact]
    public void FullStatisticsRunEveryNthStepAndNormsEveryStep()
    {
        torch.manual_seed(2);
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 3));
        var full = new List<bool>();
        for (int i = 0; i < 7; i++)
        {
            optimizer.zero_grad();
            Backward(model, ScalarType.Float32, 8);
            var s = watch.Step();
            full.Add(s.IsFullStatistics);
            Assert.All(s.Layers, l => Assert.True(l.GradientNorm > 0));
            Assert.All(s.Layers, l => Assert.Equal(s.IsFullStatistics, !double.IsNaN(l.StandardDeviation)));
        }

        Assert.Equal(new[] { true, false, false, true, false, false, true }, full);
    }

    [Fact]
    public void InvalidOptionsThrowNamingTheSetting()
    {
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        var ex = Assert.Throws<ArgumentException>(() => model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 0)));
        Assert.Contains("FullStatisticsInterval", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => model.WatchGradients(optimizer, w => w.Configure(o => o.GroupingDepth = 0)));
        Assert.Contains("GroupingDepth", ex.Message);
    }

    internal static void Backward(nn.Module<Tensor, Tensor> model, ScalarType dtype, int batch, int inputs = -1, int outputs = -1)
    {
        var first = model.parameters().First();
        inputs = inputs > 0 ? inputs : (int)first.shape[1];
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(batch, inputs, dtype: dtype);
        var y = model.call(x);
        var target = torch.randn(y.shape, dtype: dtype);
        var loss = (y - target).square().mean();
        loss.backward();
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
                list.AddRange(TestModels.Values(g));
            }
        }

        return result;
    }
}
