using GradientWatch.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Remedies;

/// <summary>Each remedy's arithmetic on real tensors, against hand-computed values.</summary>
public sealed class RemedyArithmeticTests
{
    [Fact]
    public void ClipGlobalNormScalesByMaxOverNormReusingTheMeasuredNorm()
    {
        using var fixture = new ManualModel();
        fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 4, 0 }); // global norm 5
        using var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0));
        var s = watch.Step();
        double scale = 1.0 / (5.0 + 1e-6);
        AssertClose(new[] { 3 * scale, 0, 0, 0 }, fixture.WeightGradient());
        AssertClose(new[] { 4 * scale, 0 }, fixture.BiasGradient());
        Assert.Equal(5.0, s.GlobalGradientNorm, 6);
        Assert.Equal(1.0, s.GlobalGradientNormAfterRemedies, 5);
        var e = Assert.Single(watch.History, e => e.Remedy == "clip_global_norm");
        Assert.Equal(5.0, e.ObservedValue!.Value, 6);
        Assert.Equal(1.0, e.Threshold);
    }

    [Fact]
    public void ClipGlobalNormLeavesSmallGradientsAlone()
    {
        using var fixture = new ManualModel();
        fixture.SetGradients(new float[,] { { 0.3f, 0 }, { 0, 0 } }, new float[] { 0.4f, 0 });
        using var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0));
        watch.Step();
        AssertClose(new[] { 0.3, 0, 0, 0 }, fixture.WeightGradient());
        Assert.DoesNotContain(watch.History, e => e.Type == GradientEventType.Remedy);
    }

    [Fact]
    public void ClipValueClampsEachElement()
    {
        using var fixture = new ManualModel();
        fixture.SetGradients(new float[,] { { 3, -0.5f }, { -2, 0.25f } }, new float[] { 4, 0 });
        using var watch = fixture.Watch(w => w.ClipValue(1.0));
        watch.Step();
        AssertClose(new[] { 1, -0.5, -1, 0.25 }, fixture.WeightGradient());
        AssertClose(new[] { 1.0, 0 }, fixture.BiasGradient());
        var e = Assert.Single(watch.History, e => e.Remedy == "clip_value");
        Assert.Equal(3, e.Details["elements_clamped"]);
    }

    [Fact]
    public void AdaptiveClippingClipsPerOutputUnit()
    {
        using var fixture = new ManualModel();
        fixture.SetWeights(new float[,] { { 1, 0 }, { 0, 2 } }, new float[] { 0.5f, 0 });
        fixture.SetGradients(new float[,] { { 3, 4 }, { 0, 0.01f } }, new float[] { 1, 1 });
        using var watch = fixture.Watch(w => w.ClipAdaptive(clipping: 0.1, epsilon: 1e-3));
        watch.Step();

        // Row 0: ‖G‖=5 > 0.1·‖W‖=0.1 → scaled by 0.1/5. Row 1: ‖G‖=0.01 < 0.1·2 → unchanged.
        AssertClose(new[] { 3 * 0.02, 4 * 0.02, 0, 0.01 }, fixture.WeightGradient());

        // The bias is one unit: ‖G‖=√2 > 0.1·0.5 → scaled by 0.05/√2.
        double b = 0.05 / Math.Sqrt(2);
        AssertClose(new[] { b, b }, fixture.BiasGradient());
        var e = Assert.Single(watch.History, e => e.Remedy == "clip_adaptive");
        Assert.Equal(2, e.Details["units_clipped"]);
    }

    [Fact]
    public void AdaptiveClippingUsesEpsilonForZeroWeights()
    {
        using var fixture = new ManualModel();
        fixture.SetWeights(new float[,] { { 0, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        fixture.SetGradients(new float[,] { { 1, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        using var watch = fixture.Watch(w => w.ClipAdaptive(clipping: 0.5, epsilon: 0.01));
        watch.Step();
        AssertClose(new[] { 0.005, 0, 0, 0 }, fixture.WeightGradient()); // limit 0.5·max(0, 0.01)
    }

    [Fact]
    public void ZScoreClipScalesToMeanPlusZSigmaAfterWarmup()
    {
        using var fixture = new ManualModel();
        using var watch = fixture.Watch(w => w.ClipZScore(zThreshold: 1, smoothing: 0.5, warmupSteps: 2));

        // Warm-up norms 1 and 3: mean 2, variance 0.5·(0 + 0.5·4) = 1, so the limit is 2 + 1·1 = 3.
        fixture.SetGradients(new float[,] { { 1, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        watch.Step();
        fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        watch.Step();
        fixture.SetGradients(new float[,] { { 5, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        var s = watch.Step();
        AssertClose(new[] { 3.0, 0, 0, 0 }, fixture.WeightGradient());
        Assert.Equal(3.0, s.GlobalGradientNormAfterRemedies, 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PenaltiesAddCoefficientTimesWeightOrSignToChosenLayers(bool l1)
    {
        using var fixture = new ManualModel();
        fixture.SetWeights(new float[,] { { 2, -3 }, { 0, 0.5f } }, new float[] { -1, 4 });
        fixture.SetGradients(new float[,] { { 1, 1 }, { 1, 1 } }, new float[] { 0, 0 });
        using var watch = fixture.Watch(w => _ = l1 ? w.AddL1Penalty(0.1) : w.AddL2Penalty(0.1));
        watch.Step();
        if (l1)
        {
            AssertClose(new[] { 1.1, 0.9, 1.0, 1.1 }, fixture.WeightGradient());
            AssertClose(new[] { -0.1, 0.1 }, fixture.BiasGradient());
        }
        else
        {
            AssertClose(new[] { 1.2, 0.7, 1.0, 1.05 }, fixture.WeightGradient());
            AssertClose(new[] { -0.1, 0.4 }, fixture.BiasGradient());
        }
    }

    [Fact]
    public void PenaltyLayerFilterLeavesOtherLayersAlone()
    {
        var a = nn.Linear(2, 2);
        var b = nn.Linear(2, 2);
        using var model = nn.Sequential(("a", (nn.Module<Tensor, Tensor>)a), ("b", b));
        using var optimizer = optim.SGD(model.parameters(), 0.0);
        using var watch = model.WatchGradients(optimizer, w => w.AddL2Penalty(0.1, o => o.Layers.Add("b")));
        foreach (var layer in new[] { a, b })
        {
            layer.weight!.grad = torch.ones(2, 2);
            layer.bias!.grad = torch.zeros(2);
        }

        var expected = TestModels.Values(b.weight!).Select(w => 1 + (0.1 * w)).ToArray();
        watch.Step();
        AssertClose(new[] { 1.0, 1, 1, 1 }, TestModels.Values(a.weight!.grad!));
        AssertClose(expected, TestModels.Values(b.weight!.grad!));
    }

    [Fact]
    public void RemediesRunInTheOrderAdded()
    {
        using var fixture = new ManualModel();
        fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 4, 0 });

        // Value clip first (3→1, 4→1: norm √2), then norm clip to 1.
        using var watch = fixture.Watch(w => w.ClipValue(1.0).ClipGlobalNorm(1.0));
        var s = watch.Step();
        double scale = 1.0 / (Math.Sqrt(2) + 1e-6);
        AssertClose(new[] { scale, 0, 0, 0 }, fixture.WeightGradient());
        Assert.Equal(new[] { "clip_value", "clip_global_norm" }, watch.History.Where(e => e.Type == GradientEventType.Remedy).Select(e => e.Remedy));
        Assert.Equal(1.0, s.GlobalGradientNormAfterRemedies, 5);
    }

    internal static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Approx.Equal(expected[i], actual[i], rel: 1e-5, abs: 1e-7, what: $"element {i}");
        }
    }

    /// <summary>A Linear(2, 2) whose weights and gradients the test sets by hand; SGD with lr 0 leaves the weights alone.</summary>
    internal sealed class ManualModel : IDisposable
    {
        public ManualModel(double lr = 0.0)
        {
            Linear = nn.Linear(2, 2);
            Module = nn.Sequential(("fc", (nn.Module<Tensor, Tensor>)Linear));
            Optimizer = optim.SGD(Module.parameters(), lr);
        }

        public Linear Linear { get; }

        public nn.Module<Tensor, Tensor> Module { get; }

        public optim.Optimizer Optimizer { get; }

        public GradientWatcher Watch(Action<GradientWatchBuilder> configure)
            => Module.WatchGradients(Optimizer, w => configure(w.Configure(o => o.FullStatisticsInterval = 1)));

        public void SetWeights(float[,] weight, float[] bias)
        {
            using (torch.no_grad())
            {
                Linear.weight!.copy_(torch.tensor(weight));
                Linear.bias!.copy_(torch.tensor(bias));
            }
        }

        public void SetGradients(float[,] weight, float[] bias)
        {
            Linear.weight!.grad = torch.tensor(weight);
            Linear.bias!.grad = torch.tensor(bias);
        }

        public double[] WeightGradient() => TestModels.Values(Linear.weight!.grad!);

        public double[] BiasGradient() => TestModels.Values(Linear.bias!.grad!);

        public void Dispose()
        {
            Optimizer.Dispose();
            Module.Dispose();
        }
    }
}
