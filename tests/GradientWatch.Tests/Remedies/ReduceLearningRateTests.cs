using GradientWatch.Remedies;
using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Remedies;

public sealed class ReduceLearningRateTests
{
    [Fact]
    public void LowersRespectsCooldownAndFloorThenRecovers()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.1);
        using var watch = fixture.Watch(w => w
            .DetectExploding(o => { o.GlobalNormThreshold = 10; o.ZScoreThreshold = null; o.JumpFactor = null; })
            .ReduceLearningRate(o => { o.Factor = 0.5; o.MinLearningRate = 0.03; o.CooldownSteps = 2; o.RecoverAfterHealthySteps = 3; }));

        var lrs = new List<double>();
        void Step(bool big)
        {
            float v = big ? 100 : 1;
            fixture.SetGradients(new float[,] { { v, 0 }, { 0, 0 } }, new float[] { 0, 0 });
            watch.Step();
            lrs.Add(fixture.Optimizer.ParamGroups.First().LearningRate);
        }

        Step(true);  // 1: 0.1 → 0.05
        Step(true);  // 2: cooldown
        Step(true);  // 3: cooldown
        Step(true);  // 4: 0.05 → 0.03 (floor, not 0.025)
        Step(true);  // 5: cooldown
        Step(true);  // 6: cooldown
        Step(true);  // 7: already at the floor
        Step(false); // 8
        Step(false); // 9
        Step(false); // 10: three healthy steps → 0.06
        Step(false); // 11
        Step(false); // 12
        Step(false); // 13: → 0.1 (capped at the original)
        Step(false); // 14
        Step(false); // 15
        Step(false); // 16: nothing left to recover

        double[] expected = { 0.05, 0.05, 0.05, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.06, 0.06, 0.06, 0.1, 0.1, 0.1, 0.1 };
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - lrs[i]) < 1e-12, $"step {i + 1}: expected lr {expected[i]}, got {lrs[i]}");
        }

        var actions = watch.History.Where(e => e.Remedy == "reduce_lr").ToList();
        Assert.Equal(new long[] { 1, 4, 10, 13 }, actions.Select(a => a.Step));
        Assert.Equal(0.1, actions[0].Threshold!.Value, 12);
        Assert.Equal(0.05, actions[0].ObservedValue!.Value, 12);
        Assert.Equal(1, actions[2].Details["recovery"]);
    }

    [Fact]
    public void ReductionPersistsThroughAChainableScheduler()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.1);
        var scheduler = optim.lr_scheduler.StepLR(fixture.Optimizer, step_size: 1, gamma: 0.9);
        using var watch = fixture.Watch(w => w
            .DetectExploding(o => { o.GlobalNormThreshold = 10; o.ZScoreThreshold = null; o.JumpFactor = null; })
            .ReduceLearningRate(o => o.CooldownSteps = 0));

        fixture.SetGradients(new float[,] { { 100, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        watch.Step();              // 0.1 → 0.01 (default factor 0.1)
        scheduler.step();          // StepLR multiplies the current rate: 0.009
        fixture.SetGradients(new float[,] { { 1, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        watch.Step();
        scheduler.step();          // 0.0081
        Assert.Equal(0.0081, fixture.Optimizer.ParamGroups.First().LearningRate, 10);
    }

    [Fact]
    public void EveryParamGroupIsReduced()
    {
        torch.manual_seed(1);
        var a = nn.Linear(2, 2);
        var b = nn.Linear(2, 2);
        using var model = nn.Sequential(("a", (nn.Module<Tensor, Tensor>)a), ("b", b));
        using var optimizer = optim.SGD(a.parameters(), 0.2);
        optimizer.add_param_group(new TorchSharp.Modules.SGD.ParamGroup(b.parameters(), 0.4));
        using var watch = model.WatchGradients(optimizer, w => w
            .DetectExploding(o => { o.GlobalNormThreshold = 1e-9; o.ZScoreThreshold = null; o.JumpFactor = null; })
            .DetectVanishing(o => o.Enabled = false)
            .ReduceLearningRate());
        using (var loss = model.call(torch.ones(1, 2)).sum())
        {
            loss.backward();
        }

        var s = watch.Step();
        Assert.Equal(new[] { 0.2, 0.4 }, s.LearningRates);
        Assert.Equal(new[] { 0.02, 0.04 }, optimizer.ParamGroups.Select(g => g.LearningRate).ToArray(), new ToleranceComparer(1e-12));
    }

    [Theory]
    [InlineData(0.001, 0.5)]
    [InlineData(0.001, 1e300)]
    [InlineData(0.001, 0.001)]
    public void AFloorAboveTheCurrentRateNeverRaisesIt(double lr, double floor)
    {
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: lr);
        using var watch = fixture.Watch(w => w.SkipNonFiniteSteps().ReduceLearningRate(o => { o.MinLearningRate = floor; o.CooldownSteps = 0; }));
        for (int i = 0; i < 3; i++)
        {
            fixture.SetGradients(new float[,] { { float.NaN, 0 }, { 0, 0 } }, new float[] { 0, 0 });
            watch.Step();
            Assert.Equal(lr, fixture.Optimizer.ParamGroups.First().LearningRate);
        }

        // Training goes on: the next real step works with the unchanged rate.
        fixture.SetGradients(new float[,] { { 1, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        watch.Step();
        Assert.DoesNotContain(watch.History, e => e.Remedy == "reduce_lr");
    }

    [Theory]
    [InlineData(0.1, 0.5, 1e-6, 0.05)]
    [InlineData(0.1, 0.5, 0.08, 0.08)]
    [InlineData(0.01, 0.5, 0.08, 0.01)]
    [InlineData(1e-9, 0.5, 0, 5e-10)]
    [InlineData(double.NaN, 0.5, 0.1, double.NaN)]
    public void OneReductionIsBetweenTheFloorAndTheRateAndNeverAbove(double lr, double factor, double floor, double expected)
        => Assert.Equal(expected, ReduceLearningRateRemedy.Reduced(lr, factor, floor));

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
