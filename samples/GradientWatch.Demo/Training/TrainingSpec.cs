using static TorchSharp.torch;

namespace GradientWatch.Demo.Training;

/// <summary>
/// Everything needed to train one watched run: the module, the optimizer, the schedule and the GradientWatch
/// configuration. Scenarios create specs; an <see cref="IDemoTrainer"/> trains them.
/// </summary>
internal sealed record TrainingSpec
{
    /// <summary>Short run name, used as the run id, in file names and in legends (for example <c>exploding</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What the run is, for people (for example <c>with remedies</c>).</summary>
    public required string Label { get; init; }

    /// <summary>Model name reported with every event and metric.</summary>
    public required string ModelName { get; init; }

    /// <summary>A one-line description of the model, for the report.</summary>
    public required string ModelDescription { get; init; }

    /// <summary>Creates the module from the number of input features.</summary>
    public required Func<int, nn.Module<Tensor, Tensor>> ModelFactory { get; init; }

    /// <summary>The optimizer.</summary>
    public DemoOptimizer Optimizer { get; init; } = DemoOptimizer.Adam;

    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Momentum (SGD only).</summary>
    public double Momentum { get; init; }

    /// <summary>Passes over the data.</summary>
    public required int Epochs { get; init; }

    /// <summary>Rows per optimizer step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The training data.</summary>
    public required DemoDataSet Data { get; init; }

    /// <summary>Seed for the module's initialization and the per-epoch shuffling.</summary>
    public int Seed { get; init; }

    /// <summary>The GradientWatch configuration: detectors and remedies (sinks are added by the trainer).</summary>
    public required Action<GradientWatchBuilder> ConfigureWatch { get; init; }

    /// <summary>Optimizer steps per epoch.</summary>
    public int StepsPerEpoch => (Data.Rows + BatchSize - 1) / BatchSize;

    /// <summary>Optimizer steps in the whole run.</summary>
    public int TotalSteps => StepsPerEpoch * Epochs;
}
