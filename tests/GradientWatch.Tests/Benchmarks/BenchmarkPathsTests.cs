using GradientWatch.Benchmarks;
using GradientWatch.Benchmarks.Models;
using GradientWatch.Capture;
using GradientWatch.Statistics;
using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Benchmarks;

/// <summary>
/// Every path the overhead benchmark times gives the numbers of the double-precision reference, on the
/// gradients of the benchmark's own models (shrunk, except where noted) and on edge-case gradients.
/// </summary>
public sealed class BenchmarkPathsTests
{
    public static TheoryData<string> Models() => new() { "mlp", "transformer" };

    [Theory]
    [MemberData(nameof(Models))]
    public void BothFloorsSumEveryGradient(string model)
    {
        using var workload = Small(model);
        workload.ForwardBackward();
        double expected = workload.Parameters.Sum(p => TestModels.Values(p.grad!).Sum());
        double scale = Math.Sqrt(workload.Parameters.Sum(p => TestModels.Values(p.grad!).Sum(v => v * v)));
        Approx.Equal(expected, StatisticsPaths.TorchSumFloor(workload.Parameters), rel: 1e-5, abs: 1e-6 * scale, what: "torch.sum floor");
        var pass = new TensorPass();
        var slots = new GradientMoments[workload.TensorCount];
        foreach (int threads in new[] { 1, 2 })
        {
            Approx.Equal(expected, StatisticsPaths.FusedSumFloor(workload.Parameters, pass, slots, threads), rel: 1e-5, abs: 1e-6 * scale, what: "fused floor");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void NaiveStatisticsMatchTheReferencePerTensor(string model)
    {
        using var workload = Small(model);
        workload.ForwardBackward();
        var naive = StatisticsPaths.Naive(workload.Parameters);
        for (int i = 0; i < workload.TensorCount; i++)
        {
            var reference = ReferenceStatistics.Of(TestModels.Values(workload.Parameters[i].grad!));
            AssertNaive(reference, naive[i], i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("mlp", false, 1)]
    [InlineData("mlp", false, 2)]
    [InlineData("mlp", true, 2)]
    [InlineData("transformer", false, 1)]
    [InlineData("transformer", false, 2)]
    [InlineData("transformer", true, 2)]
    public void GradientWatchFullAndNormPassesMatchTheReferencePerTensor(string model, bool torchOps, int threads)
    {
        using var workload = Small(model);
        workload.ForwardBackward();
        using var capture = new GradientCapture(LayerMap.Build(workload.Module, LayerGrouping.OwningModule, 1), threads) { ForceTorchOps = torchOps };
        foreach (bool full in new[] { true, false })
        {
            using (torch.NewDisposeScope())
            {
                capture.MeasureGradients(full);
            }

            for (int i = 0; i < workload.TensorCount; i++)
            {
                GradientWatch.Tests.Statistics.FusedReductionTests.AssertMatches(ReferenceStatistics.Of(TestModels.Values(workload.Parameters[i].grad!)), capture.Gradients[i], full);
            }
        }
    }

    [Fact]
    public void FullSizeTransformerStatisticsMatchTheReference()
    {
        // The benchmark's real transformer-like model: 5.3M parameters in 102 tensors.
        using var workload = Workload.TransformerLike();
        Assert.InRange(workload.ParameterCount, 4_500_000, 5_500_000);
        Assert.InRange(workload.TensorCount, 90, 110);
        workload.ForwardBackward();
        using var capture = new GradientCapture(LayerMap.Build(workload.Module, LayerGrouping.OwningModule, 1), Environment.ProcessorCount);
        using (torch.NewDisposeScope())
        {
            capture.MeasureGradients(full: true);
        }

        for (int i = 0; i < workload.TensorCount; i++)
        {
            GradientWatch.Tests.Statistics.FusedReductionTests.AssertMatches(ReferenceStatistics.Of(TestModels.Values(workload.Parameters[i].grad!)), capture.Gradients[i], full: true);
        }
    }

    [Fact]
    public void ReferenceMlpHasAboutFiveMillionParametersInFewTensors()
    {
        using var workload = Workload.ReferenceMlp(batch: 2);
        Assert.InRange(workload.ParameterCount, 4_500_000, 5_500_000);
        Assert.InRange(workload.TensorCount, 2, 10);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ClippingWithMeasuredNormsEqualsNativeClipGradNorm(string model)
    {
        using var a = Small(model);
        using var b = Small(model);
        b.CopyFrom(a);
        a.ForwardBackward();
        b.ForwardBackward();
        var map = LayerMap.Build(a.Module, LayerGrouping.OwningModule, 1);
        using var capture = new GradientCapture(map, 2);
        var editor = new TorchGradientEditor(map, capture, a.Optimizer);
        using (torch.NewDisposeScope())
        {
            capture.MeasureGradients(full: true);
        }

        double norm = Math.Sqrt(capture.Gradients.ToArray().Sum(g => g.SumOfSquares));
        double maxNorm = norm / 3;
        editor.Reset(norm);
        editor.ScaleAll(maxNorm / (norm + 1e-6));
        double nativeNorm = StatisticsPaths.NativeClip(b.Parameters, maxNorm);
        Approx.Equal(nativeNorm, norm, rel: 1e-5, what: "pre-clip norm");
        Approx.Equal(maxNorm, editor.CurrentGlobalNorm, rel: 1e-5, what: "norm after clip");
        for (int i = 0; i < a.TensorCount; i++)
        {
            var x = TestModels.Values(a.Parameters[i].grad!);
            var y = TestModels.Values(b.Parameters[i].grad!);
            double scale = Math.Sqrt(y.Sum(v => v * v) / Math.Max(1, y.Length));
            for (int k = 0; k < x.Length; k++)
            {
                Approx.Equal(y[k], x[k], rel: 1e-5, abs: 1e-6 * scale);
            }
        }
    }

    [Fact]
    public void EveryPathHandlesEdgeCaseGradients()
    {
        // zeros, tiny, huge, subnormal, NaN/Inf, and a frozen parameter without a gradient.
        torch.manual_seed(3);
        var model = nn.Sequential(
            ("zeros", (nn.Module<Tensor, Tensor>)nn.Linear(64, 64)),
            ("tiny", nn.Linear(64, 64)),
            ("huge", nn.Linear(64, 64)),
            ("subnormal", nn.Linear(64, 64)),
            ("poisoned", nn.Linear(64, 64)),
            ("frozen", nn.Linear(64, 1)));
        foreach (var p in model.named_parameters().Where(p => p.name.StartsWith("frozen", StringComparison.Ordinal)))
        {
            p.parameter.requires_grad = false;
        }

        using (var scope = torch.NewDisposeScope())
        {
            model.call(torch.randn(8, 64)).square().mean().backward();
        }

        var parameters = model.parameters().ToArray();
        var byName = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (torch.no_grad())
        {
            Fill(byName["zeros.weight"], torch.zeros(64, 64));
            Fill(byName["tiny.weight"], torch.randn(64, 64) * 1e-25);
            Fill(byName["huge.weight"], torch.randn(64, 64) * 1e30);
            Fill(byName["subnormal.weight"], torch.randn(64, 64) * 1e-41);
            var poisoned = torch.randn(64, 64);
            poisoned[0, 0] = torch.tensor(float.NaN);
            poisoned[5, 5] = torch.tensor(float.PositiveInfinity);
            Fill(byName["poisoned.weight"], poisoned);
        }

        Assert.Null(byName["frozen.weight"].grad);
        var map = LayerMap.Build(model, LayerGrouping.Parameter, 1);
        foreach (bool torchOps in new[] { false, true })
        {
            using var capture = new GradientCapture(map, 2) { ForceTorchOps = torchOps };
            using (torch.NewDisposeScope())
            {
                capture.MeasureGradients(full: true);
            }

            for (int i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].grad is not { } g)
                {
                    Assert.False(capture.HasGradient(i));
                    continue;
                }

                var reference = ReferenceStatistics.Of(TestModels.Values(g));
                GradientWatch.Tests.Statistics.FusedReductionTests.AssertMatches(reference, capture.Gradients[i], full: true);
            }
        }

        // The naive path agrees on the finite tensors and counts NaN/Inf exactly.
        var naive = StatisticsPaths.Naive(parameters);
        for (int i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].grad is not { } g)
            {
                Assert.Equal(default, naive[i]);
                continue;
            }

            var reference = ReferenceStatistics.Of(TestModels.Values(g));
            Assert.Equal(reference.NanCount, naive[i].NanCount);
            Assert.Equal(reference.InfCount, naive[i].InfCount);
            Assert.Equal(reference.ZeroCount, naive[i].ZeroCount);
        }

        // Floors skip the frozen parameter and read everything else.
        var pass = new TensorPass();
        var slots = new GradientMoments[parameters.Length];
        Assert.True(double.IsNaN(StatisticsPaths.FusedSumFloor(parameters, pass, slots, 2)));
        Assert.True(double.IsNaN(StatisticsPaths.TorchSumFloor(parameters)));
    }

    [Fact]
    public void StepVariantsTrainExactlyLikeTheBareStepWhenNothingIsClipped()
    {
        // Watching must not change training: same seed, same data, same weights after a few steps.
        using var bare = Small("mlp");
        using var watched = Small("mlp");
        using var full = Small("mlp");
        watched.CopyFrom(bare);
        full.CopyFrom(bare);
        using var w1 = watched.Module.WatchGradients(watched.Optimizer);
        using var w2 = full.Module.WatchGradients(full.Optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1).ClipGlobalNorm(1e9).SkipNonFiniteSteps());
        for (int i = 0; i < 3; i++)
        {
            bare.ForwardBackward();
            bare.Optimizer.step();
            w1.Step(watched.ForwardBackward());
            w2.Step(full.ForwardBackward());
        }

        for (int i = 0; i < bare.TensorCount; i++)
        {
            Assert.Equal(TestModels.Values(bare.Parameters[i]), TestModels.Values(watched.Parameters[i]));
            Assert.Equal(TestModels.Values(bare.Parameters[i]), TestModels.Values(full.Parameters[i]));
        }
    }

    [Fact]
    public void StepBenchmarkRunsEveryVariantAndReportsRatios()
    {
        using var workload = Small("transformer");
        var result = StepBenchmark.Run(workload, warmupSteps: 1, rounds: 2, stepsPerSample: 2);
        Assert.Equal(StepBenchmark.Variants, result.MedianStepMs.Keys);
        Assert.All(result.MedianStepMs.Values, v => Assert.True(v > 0));
        Assert.Equal(1.0, result.RatioToBare[StepBenchmark.Bare]);
        Assert.All(StepBenchmark.Variants.Skip(1), v => Assert.True(result.OverheadMs[v] > 0));
        Assert.InRange(result.ClipActiveFraction, 0, 1);
    }

    [Fact]
    public void StatisticsBenchmarkTimesEveryMethod()
    {
        using var workload = Small("mlp");
        var result = StatisticsBenchmark.Run(workload, rounds: 2, targetSampleMs: 0.1);
        Assert.Equal(StatisticsBenchmark.Methods, result.MedianMs.Keys);
        Assert.All(result.MedianMs.Values, v => Assert.True(v > 0));
        Approx.Equal(1.0, result.RatioToTorchFloor[StatisticsBenchmark.FloorTorch], rel: 1e-12);
        Approx.Equal(1.0, result.RatioToFusedFloor[StatisticsBenchmark.FloorFused], rel: 1e-12);
    }

    [Fact]
    public void ReportEvaluatesTargetsAndWritesAMachineReadableLine()
    {
        using var workload = Small("transformer");
        var steps = new[] { StepBenchmark.Run(workload, 1, 2, 2) with { Model = "transformer" } };
        var statistics = new[] { StatisticsBenchmark.Run(workload, 2, 0.1) with { Model = "transformer" } };
        var targets = BenchmarkReport.Evaluate(steps, statistics, soak: null);
        Assert.Contains(targets, t => t.Name.StartsWith("naive", StringComparison.Ordinal));
        Assert.Contains(targets, t => t.Name.StartsWith("clip", StringComparison.Ordinal));
        var report = new BenchmarkReport(MachineInfo.Collect(), new RunSettings(true, 2, 2, 1, 2, 0), steps, statistics, null, targets, 1);
        string line = report.ToJsonLine();
        Assert.StartsWith("GRADIENTWATCH_BENCH {", line, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(line["GRADIENTWATCH_BENCH ".Length..]);
        Assert.Equal(targets.Count, json.RootElement.GetProperty("targets").GetArrayLength());
        string markdown = report.ToMarkdown("test");
        Assert.Contains("## Machine", markdown, StringComparison.Ordinal);
        Assert.Contains(line, markdown, StringComparison.Ordinal);
        Assert.True(MachineInfo.ResidentSetBytes() > 0);
    }

    private static Workload Small(string model) => model == "mlp"
        ? Workload.Mlp(inputs: 24, width: 96, classes: 5, batch: 16)
        : Workload.Transformer(vocabulary: 50, context: 8, width: 32, heads: 4, hidden: 64, depth: 2, batch: 3);

    private static void Fill(Tensor parameter, Tensor values)
    {
        using var g = parameter.grad!;
        g.copy_(values);
    }

    private static void AssertNaive(ReferenceStatistics reference, NaiveStatistics naive, string what)
    {
        Assert.Equal(reference.Count, naive.Count);
        Assert.Equal(reference.NanCount, naive.NanCount);
        Assert.Equal(reference.InfCount, naive.InfCount);
        Assert.Equal(reference.ZeroCount, naive.ZeroCount);
        Approx.Equal(reference.Norm, naive.Norm, rel: 1e-5, what: what + " norm");
        Approx.Equal(reference.MaxAbs, naive.MaxAbs, rel: 1e-7, what: what + " max");
        Approx.Equal(reference.Mean, naive.Mean, rel: 1e-5, abs: 1e-6 * reference.StandardDeviation, what: what + " mean");
        Approx.Equal(reference.StandardDeviation, naive.StandardDeviation, rel: 1e-5, what: what + " std");
    }
}
