using GradientWatch.Demo.Training;
using static TorchSharp.torch;

namespace GradientWatch.Demo.Scenarios;

/// <summary>A NaN injected into the activations mid-run; the step is skipped and training goes on.</summary>
internal sealed class NanScenario : IDemoScenario
{
    public string Name => "nan";

    public string Title => "NaN: a non-finite value injected mid-run, with skip-step";

    public string Description => "A 3-layer Tanh MLP with Adam. Twice during training, one activation is turned into NaN (as a bad input row or "
        + "an overflow would), so the loss and every gradient become NaN. GradientWatch detects it on that step and skips the optimizer step, "
        + "leaving the weights untouched; training finishes with a finite loss.";

    public int DefaultEpochs => 30;

    public IReadOnlyList<TrainingSpec> CreateRuns(ScenarioParameters parameters)
    {
        int epochs = parameters.ResolveEpochs(DefaultEpochs);
        int steps = epochs * ((parameters.Rows + parameters.BatchSize - 1) / parameters.BatchSize);
        var at = new[] { Math.Max(2, steps * 2 / 5), Math.Max(3, steps * 7 / 10) }.Distinct().ToArray();
        return new[]
        {
            new TrainingSpec
            {
                Name = Name,
                Label = "NaN injected at steps " + string.Join(", ", at),
                ModelName = "mlp-tanh-3x32",
                ModelDescription = "MLP 4→32→32→1, Tanh, Adam lr 5e-3, NaN injected at steps " + string.Join(" and ", at),
                ModelFactory = features => DemoModels.Mlp(features, 32, 3, () => nn.Tanh(), new NonFiniteInjection(at)),
                Optimizer = DemoOptimizer.Adam,
                LearningRate = 5e-3,
                Epochs = epochs,
                BatchSize = parameters.BatchSize,
                Data = DemoDataSet.Generate(parameters.Rows, 4, parameters.Seed),
                Seed = parameters.Seed,
                ConfigureWatch = w => w.SkipNonFiniteSteps().ClipGlobalNorm(10.0),
            },
        };
    }
}
