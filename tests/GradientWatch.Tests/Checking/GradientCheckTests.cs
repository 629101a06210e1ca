using GradientWatch.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Checking;

public sealed class GradientCheckTests
{
    public static TheoryData<string> StandardLayers() => new() { "linear", "conv1d", "conv2d", "layernorm", "lstm", "tanh-mlp" };

    [Theory]
    [MemberData(nameof(StandardLayers))]
    public void PassesOnStandardLayers(string kind)
    {
        torch.manual_seed(4);
        var (module, loss) = Build(kind);
        using var m = module;
        var report = GradientCheck.Run(m, loss);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal("float64", report.Precision);
        Assert.All(report.Results, r => Assert.True(r.ElementsChecked > 0));
    }

    [Fact]
    public void Float32ModuleIsCheckedInFloat64ThroughACopyAndNeverChanged()
    {
        torch.manual_seed(5);
        Func<nn.Module<Tensor, Tensor>> factory = () => TestModels.Mlp(3, 8, 2, depth: 3, () => nn.Tanh());
        using var model = factory();
        var x = torch.randn(6, 3);
        var y = torch.randn(6, 2);
        var before = model.parameters().Select(TestModels.Values).ToArray();
        var report = GradientCheck.Run(model, m => nn.functional.mse_loss(((nn.Module<Tensor, Tensor>)m).call(x.to(m.parameters().First().dtype)), y.to(m.parameters().First().dtype)), new GradientCheckOptions { ModuleFactory = factory });
        Assert.True(report.Passed, report.ToString());
        Assert.Equal("float64", report.Precision);
        var after = model.parameters().Select(TestModels.Values).ToArray();
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i], after[i]);
        }

        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void ModuleCheckedInPlaceKeepsItsWeightsBitForBitAndItsGradients()
    {
        torch.manual_seed(6);
        using var model = TestModels.Mlp(3, 8, 1, depth: 2, () => nn.Tanh()).to(ScalarType.Float64);
        var x = torch.randn(5, 3, dtype: ScalarType.Float64);
        using (var l = model.call(x).sum())
        {
            l.backward();
        }

        var weights = model.parameters().Select(TestModels.Values).ToArray();
        var grads = model.parameters().Select(p => TestModels.Values(p.grad!)).ToArray();
        var report = GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x).square().mean(), new GradientCheckOptions { MaxElementsPerParameter = 1000 });
        Assert.True(report.Passed, report.ToString());
        var weightsAfter = model.parameters().Select(TestModels.Values).ToArray();
        var gradsAfter = model.parameters().Select(p => TestModels.Values(p.grad!)).ToArray();
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.Equal(weights[i], weightsAfter[i]);
            Assert.Equal(grads[i], gradsAfter[i]);
        }
    }

    [Fact]
    public void FailsNamingTheLayersUpstreamOfASignFlippedBackward()
    {
        torch.manual_seed(7);
        using var model = nn.Sequential(
            ("first", (nn.Module<Tensor, Tensor>)nn.Linear(4, 6)),
            ("bad", new FlippedBackwardLayer(6, 6)),
            ("head", nn.Linear(6, 1))).to(ScalarType.Float64);
        var x = torch.randn(8, 4, dtype: ScalarType.Float64);
        var report = GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x).tanh().sum());
        Assert.False(report.Passed);
        var failing = report.Failures.Select(f => f.Layer).Distinct().ToArray();
        Assert.Contains("bad.linear", failing);
        Assert.Contains("first", failing);
        Assert.DoesNotContain("head", failing);
        var worst = report.Failures.First(f => f.Layer == "bad.linear");
        Assert.True(Math.Sign(worst.WorstAnalytic) == -Math.Sign(worst.WorstNumeric), report.ToString());
        Assert.NotEmpty(worst.WorstIndex);
        Assert.Contains("FAIL", report.ToString());
    }

    [Fact]
    public void FailsOnAScaledBackward()
    {
        torch.manual_seed(8);
        using var model = nn.Sequential(("scaled", (nn.Module<Tensor, Tensor>)new ScaledBackwardLayer(3, 3)), ("head", nn.Linear(3, 1))).to(ScalarType.Float64);
        var x = torch.randn(4, 3, dtype: ScalarType.Float64);
        var report = GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x).square().sum());
        Assert.Equal(new[] { "scaled.linear" }, report.Failures.Select(f => f.Layer).Distinct());
        var r = report.Failures[0];
        Assert.Equal(2.0, r.WorstAnalytic / r.WorstNumeric, 3);
    }

    [Fact]
    public void FailsOnADetachInTheMiddleOfForward()
    {
        torch.manual_seed(9);
        using var model = nn.Sequential(("a", (nn.Module<Tensor, Tensor>)nn.Linear(3, 3)), ("cut", new DetachLayer()), ("b", nn.Linear(3, 1))).to(ScalarType.Float64);
        var x = torch.randn(4, 3, dtype: ScalarType.Float64);
        var report = GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x).square().sum());
        Assert.Equal(new[] { "a" }, report.Failures.Select(f => f.Layer).Distinct());
        Assert.Equal(0.0, report.Failures[0].WorstAnalytic);
        Assert.NotEqual(0.0, report.Failures[0].WorstNumeric);
    }

    [Fact]
    public void KinksAreReportedNotFailed()
    {
        // Zero weights and bias put every ReLU input exactly at 0: the one-sided slopes disagree there.
        using var first = nn.Linear(2, 2).to(ScalarType.Float64);
        using (torch.no_grad())
        {
            first.weight!.zero_();
            first.bias!.zero_();
        }

        using var model = nn.Sequential(("first", (nn.Module<Tensor, Tensor>)first), ("relu", nn.ReLU()), ("head", nn.Linear(2, 1).to(ScalarType.Float64)));
        using (torch.no_grad())
        {
            ((Linear)model[2]).weight!.fill_(1.0);
        }

        var x = torch.ones(1, 2, dtype: ScalarType.Float64);
        var report = GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x).sum());
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.Results.Where(r => r.Layer == "first").Sum(r => r.NonDifferentiablePoints) > 0, report.ToString());
    }

    [Fact]
    public void FrozenParametersAreReportedAndSkipped()
    {
        torch.manual_seed(10);
        using var model = TestModels.Mlp(3, 4, 1, depth: 2, () => nn.Tanh()).to(ScalarType.Float64);
        foreach (var p in ((Linear)((Sequential)model)[0]).parameters())
        {
            p.requires_grad = false;
        }

        var x = torch.randn(4, 3, dtype: ScalarType.Float64);
        var report = GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x).sum());
        Assert.True(report.Passed, report.ToString());
        Assert.All(report.Results.Where(r => r.Layer == "0"), r => Assert.True(r.Frozen));
        Assert.All(report.Results.Where(r => r.Layer == "2"), r => Assert.False(r.Frozen));
    }

    [Fact]
    public void SamplesLargeParametersWithinTheBudget()
    {
        torch.manual_seed(11);
        using var model = nn.Sequential(("big", (nn.Module<Tensor, Tensor>)nn.Linear(1000, 1000)), ("head", nn.Linear(1000, 1))).to(ScalarType.Float64);
        var x = torch.randn(2, 1000, dtype: ScalarType.Float64);
        var report = GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x).sum(), new GradientCheckOptions { MaxElementsPerParameter = 16, Seed = 3 });
        Assert.True(report.Passed, report.ToString());
        var big = report.Results.Single(r => r.Parameter == "big.weight");
        Assert.Equal(16, big.ElementsChecked);
        Assert.Equal(1_000_000, big.ElementCount);
        Assert.True(report.Elapsed < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void NonScalarLossAndBadOptionsGiveClearErrors()
    {
        using var model = nn.Linear(2, 2).to(ScalarType.Float64);
        var x = torch.randn(3, 2, dtype: ScalarType.Float64);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x))).Message);
        Assert.Contains("GradientCheckOptions.StepSize", Assert.Throws<ArgumentException>(() => GradientCheck.Run(model, m => ((nn.Module<Tensor, Tensor>)m).call(x).sum(), new GradientCheckOptions { StepSize = 0 })).Message);
    }

    private static (nn.Module Module, Func<nn.Module, Tensor> Loss) Build(string kind)
    {
        const ScalarType f64 = ScalarType.Float64;
        switch (kind)
        {
            case "linear":
            {
                var m = nn.Linear(5, 3).to(f64);
                var x = torch.randn(4, 5, dtype: f64);
                return (m, mod => ((Linear)mod).call(x).tanh().sum());
            }

            case "conv1d":
            {
                var m = nn.Conv1d(2, 3, 3).to(f64);
                var x = torch.randn(2, 2, 7, dtype: f64);
                return (m, mod => ((Conv1d)mod).call(x).square().mean());
            }

            case "conv2d":
            {
                var m = nn.Conv2d(2, 2, 3).to(f64);
                var x = torch.randn(1, 2, 5, 5, dtype: f64);
                return (m, mod => ((Conv2d)mod).call(x).tanh().sum());
            }

            case "layernorm":
            {
                var m = nn.LayerNorm(6).to(f64);
                var x = torch.randn(3, 6, dtype: f64);
                var w = torch.randn(3, 6, dtype: f64);
                return (m, mod => (((LayerNorm)mod).call(x) * w).sum());
            }

            case "lstm":
            {
                var m = nn.LSTM(3, 4).to(f64);
                var x = torch.randn(5, 2, 3, dtype: f64);
                return (m, mod => ((LSTM)mod).call(x).Item1.square().sum());
            }

            default:
            {
                var m = TestModels.Mlp(4, 8, 2, depth: 3, () => nn.Tanh()).to(f64);
                var x = torch.randn(6, 4, dtype: f64);
                var y = torch.randn(6, 2, dtype: f64);
                return (m, mod => nn.functional.mse_loss(((nn.Module<Tensor, Tensor>)mod).call(x), y));
            }
        }
    }

    /// <summary>A layer whose custom autograd function multiplies by 3 forward but by −3 backward.</summary>
    private sealed class FlippedBackwardLayer : nn.Module<Tensor, Tensor>
    {
        private readonly Linear linear;

        public FlippedBackwardLayer(int inputs, int outputs)
            : base(nameof(FlippedBackwardLayer))
        {
            linear = nn.Linear(inputs, outputs);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => ScaleFunction.apply(linear.call(input), 3.0, -3.0);
    }

    /// <summary>A layer whose custom autograd function multiplies by 3 forward but by 6 backward.</summary>
    private sealed class ScaledBackwardLayer : nn.Module<Tensor, Tensor>
    {
        private readonly Linear linear;

        public ScaledBackwardLayer(int inputs, int outputs)
            : base(nameof(ScaledBackwardLayer))
        {
            linear = nn.Linear(inputs, outputs);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => ScaleFunction.apply(linear.call(input), 3.0, 6.0);
    }

    private sealed class DetachLayer : nn.Module<Tensor, Tensor>
    {
        public DetachLayer()
            : base(nameof(DetachLayer))
        {
        }

        public override Tensor forward(Tensor input) => input.detach();
    }

    /// <summary>y = forward·x, with a deliberately independent (possibly wrong) backward factor.</summary>
    private sealed class ScaleFunction : torch.autograd.SingleTensorFunction<ScaleFunction>
    {
        public override string Name => nameof(ScaleFunction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            ctx.save_data("backward", (double)vars[2]);
            return (Tensor)vars[0] * (double)vars[1];
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
            => new() { grad_output * (double)ctx.get_data("backward"), null!, null! };
    }
}
