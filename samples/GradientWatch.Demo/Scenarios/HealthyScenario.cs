using GradientWatch.Demo.Training;
using static TorchSharp.torch;

namespace GradientWatch.Demo.Scenarios;

/// <summary>A well-conditioned network: a shallow ReLU MLP with Adam. GradientWatch should stay quiet.</summary>
internal sealed class HealthyScenario : IDemoScenario
{
    public string Name => "healthy";

    public string Title => "Healthy: a well-conditioned network";

    public string Description => "A 3-layer ReLU MLP trained with Adam (lr 2e-3). Gradients stay in a narrow band in every layer; "
        + "GradientWatch measures every step and raises no errors. Remedies are configured but have nothing to do.";

    public int DefaultEpochs => 30;

    public IReadOnlyList<TrainingSpec> CreateRuns(ScenarioParameters parameters) => new[]
    {
        new TrainingSpec
        {
            Name = Name,
            Label = "healthy",
            ModelName = "mlp-relu-3x32",
            ModelDescription = "MLP 4→32→32→1, ReLU, Adam lr 2e-3",
            ModelFactory = features => DemoModels.Mlp(features, 32, 3, () => nn.ReLU()),
            Optimizer = DemoOptimizer.Adam,
            LearningRate = 2e-3,
            Epochs = parameters.ResolveEpochs(DefaultEpochs),
            BatchSize = parameters.BatchSize,
            Data = DemoDataSet.Generate(parameters.Rows, 4, parameters.Seed),
            Seed = parameters.Seed,
            ConfigureWatch = w => w.ClipGlobalNorm(10.0).SkipNonFiniteSteps(),
        },
    };
}
