using GradientWatch.Demo.Training;
using static TorchSharp.torch;

namespace GradientWatch.Demo.Scenarios;

/// <summary>
/// One run paced in real time for watching in Grafana: healthy training, an exploding phase and its remedy, then NaN
/// steps that are skipped. Not part of <c>all</c>, because it takes minutes by design.
/// </summary>
internal sealed class WatchScenario : IDemoScenario
{
    /// <summary>Steps per second the run trains at unless <c>--pace</c> says otherwise.</summary>
    public const double DefaultPace = 2;

    /// <summary>Factor the fault multiplies the first layer's activations by during the exploding phase.</summary>
    public const double SurgeGain = 10;

    public string Name => "watch";

    public string Title => "Watch: a run paced for Grafana (an exploding phase, its remedy, and a NaN)";

    public string Description => "A 4-layer ReLU MLP with SGD (lr 0.05, momentum 0.9), trained in real time at 2 steps per second (--pace) "
        + "for 3 minutes, so Prometheus and the Grafana dashboards follow it. After a healthy start, a fault multiplies the first layer's "
        + $"activations by {SurgeGain:0} for 16 steps (as a broken feature would): the gradients explode, GradientWatch clips the global norm "
        + "to 5 and halves the learning rate, and the loss comes back when the fault ends. Later, two steps turn NaN and are skipped.";

    public int DefaultEpochs => 45;

    public double DefaultStepsPerSecond => DefaultPace;

    /// <summary>The steps of the run's phases: the exploding surge [From, To) and the NaN steps.</summary>
    public static (int SurgeFrom, int SurgeTo, int[] NanAt) Phases(int steps)
    {
        int from = Math.Max(2, steps / 6);
        int to = Math.Min(steps, from + Math.Max(1, steps / 22));
        int[] nan = new[] { Math.Max(to + 1, steps * 3 / 5), Math.Max(to + 2, steps * 4 / 5) }.Where(s => s <= steps).Distinct().ToArray();
        return (from, to, nan);
    }

    public IReadOnlyList<TrainingSpec> CreateRuns(ScenarioParameters parameters)
    {
        int epochs = parameters.ResolveEpochs(DefaultEpochs);
        int steps = epochs * ((parameters.Rows + parameters.BatchSize - 1) / parameters.BatchSize);
        var (from, to, nan) = Phases(steps);
        return new[]
        {
            new TrainingSpec
            {
                Name = Name,
                Label = $"surge at steps {from}–{to - 1}, NaN at steps {string.Join(" and ", nan)}",
                ModelName = "mlp-relu-4x64",
                ModelDescription = $"MLP 4→64→64→64→1, ReLU, SGD lr 0.05 momentum 0.9; activations ×{SurgeGain:0} at steps {from}–{to - 1}, NaN at steps {string.Join(" and ", nan)}",
                ModelFactory = features => DemoModels.Mlp(features, 64, 4, () => nn.ReLU(), new WatchFaults(from, to, SurgeGain, nan)),
                Optimizer = DemoOptimizer.Sgd,
                LearningRate = 0.05,
                Momentum = 0.9,
                Epochs = epochs,
                BatchSize = parameters.BatchSize,
                Data = DemoDataSet.Generate(parameters.Rows, 4, parameters.Seed),
                Seed = parameters.Seed,
                ConfigureWatch = w => w
                    .DetectExploding(o => o.GlobalNormThreshold = 20.0)
                    .ClipGlobalNorm(5.0)
                    .ReduceLearningRate(o => { o.Factor = 0.5; o.CooldownSteps = 20; o.RecoverAfterHealthySteps = 40; })
                    .SkipNonFiniteSteps(),
            },
        };
    }
}
