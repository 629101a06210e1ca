using GradientWatch.Demo.Training;
using static TorchSharp.torch;

namespace GradientWatch.Demo.Scenarios;

/// <summary>The exploding-gradient setup shared by <c>exploding</c> and <c>compare</c>: SGD with a learning rate far too high.</summary>
internal static class ExplodingSetup
{
    public const int DefaultEpochs = 30;

    public const string Description = "MLP 4→64→64→64→1, ReLU, SGD lr 0.3 momentum 0.9";

    /// <summary>
    /// Detection only: a raw global norm above 5 counts as exploding, on top of the default z-score and jump rules;
    /// the step-size instrument (Cockpit's α) shows whether the steps overshoot.
    /// </summary>
    public static GradientWatchBuilder Detection(GradientWatchBuilder watch) => watch.DetectExploding(o => o.GlobalNormThreshold = 5.0).DetectOvershooting();

    /// <summary>
    /// The remedies configured for the exploding setup: clip the global norm to 1 on every step that exceeds it,
    /// flag a raw global norm above 5 as exploding, and then halve the learning rate (at most every 20 steps).
    /// </summary>
    public static void Remedies(GradientWatchBuilder watch) => Detection(watch)
        .ClipGlobalNorm(1.0)
        .ReduceLearningRate(o => { o.Factor = 0.5; o.CooldownSteps = 20; })
        .SkipNonFiniteSteps();

    public static TrainingSpec Create(string name, string label, ScenarioParameters parameters, Action<GradientWatchBuilder> configure) => new()
    {
        Name = name,
        Label = label,
        ModelName = "mlp-relu-4x64",
        ModelDescription = Description,
        ModelFactory = features => DemoModels.Mlp(features, 64, 4, () => nn.ReLU()),
        Optimizer = DemoOptimizer.Sgd,
        LearningRate = 0.3,
        Momentum = 0.9,
        Epochs = parameters.ResolveEpochs(DefaultEpochs),
        BatchSize = parameters.BatchSize,
        Data = DemoDataSet.Generate(parameters.Rows, 4, parameters.Seed),
        Seed = parameters.Seed,
        ConfigureWatch = configure,
    };
}
