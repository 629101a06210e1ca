using GradientWatch.Demo.Training;
using static TorchSharp.torch;

namespace GradientWatch.Demo.Scenarios;

/// <summary>Vanishing gradients in a deep sigmoid stack without normalization.</summary>
internal sealed class VanishingScenario : IDemoScenario
{
    public string Name => "vanishing";

    public string Title => "Vanishing: a deep sigmoid stack without normalization";

    public string Description => "A 12-layer MLP with Sigmoid activations and no normalization. Each sigmoid scales the gradient by at most 1/4, "
        + "so the layers nearest the input receive gradients many orders of magnitude smaller than the output layer and barely learn. "
        + "GradientWatch flags the early layers and advises on the activations and normalization.";

    public int DefaultEpochs => 30;

    public IReadOnlyList<TrainingSpec> CreateRuns(ScenarioParameters parameters) => new[]
    {
        new TrainingSpec
        {
            Name = Name,
            Label = "deep sigmoid",
            ModelName = "mlp-sigmoid-12x32",
            ModelDescription = "MLP 4→32×11→1, Sigmoid, no normalization, Adam lr 1e-3",
            ModelFactory = features => DemoModels.Mlp(features, 32, 12, () => nn.Sigmoid()),
            Optimizer = DemoOptimizer.Adam,
            LearningRate = 1e-3,
            Epochs = parameters.ResolveEpochs(DefaultEpochs),
            BatchSize = parameters.BatchSize,
            Data = DemoDataSet.Generate(parameters.Rows, 4, parameters.Seed),
            Seed = parameters.Seed,
            ConfigureWatch = w => w.ClipGlobalNorm(10.0).SkipNonFiniteSteps(),
        },
    };
}
