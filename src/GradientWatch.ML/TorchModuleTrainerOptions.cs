using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.ML;

/// <summary>
/// Options of the trainers in <see cref="GradientWatchCatalog"/>, which train a user-supplied TorchSharp module
/// inside an ML.NET pipeline. Validated when the trainer is created; an invalid value throws an
/// <see cref="ArgumentException"/> that names the option.
/// </summary>
public sealed class TorchModuleTrainerOptions
{
    /// <summary>Name of the features column: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>
    /// Name of the label column. Default <c>Label</c>. Regression: <see cref="float"/>. Binary classification:
    /// <see cref="bool"/>, or <see cref="float"/> holding 0 or 1. Multiclass classification: a key type, as produced by
    /// <c>MapValueToKey</c>.
    /// </summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Number of passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Rows per optimizer step. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>The optimizer. Default <see cref="TorchOptimizer.Adam"/>.</summary>
    public TorchOptimizer Optimizer { get; set; } = TorchOptimizer.Adam;

    /// <summary>Learning rate. Default 0.001.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Weight decay. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Momentum, used by <see cref="TorchOptimizer.Sgd"/> only. Default 0.</summary>
    public double Momentum { get; set; }

    /// <summary>
    /// Seed for the module's initialization (TorchSharp's global generator is seeded with it while the module factory
    /// runs) and for shuffling the rows every epoch. The same seed and data give the same model. Default 0.
    /// </summary>
    public int Seed { get; set; }

    /// <summary>Shuffle the rows before every epoch. Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Device to train on. Default: the CPU. Models loaded from a file run on the CPU.</summary>
    public Device? Device { get; set; }

    /// <summary>
    /// Replaces the task's usual loss. Receives the module's output and the target, and returns a scalar loss.
    /// Output shapes: regression and binary <c>[batch]</c>, multiclass <c>[batch, classes]</c> (logits). Targets:
    /// regression <c>float32 [batch]</c>, binary <c>float32 [batch]</c> of 0 and 1, multiclass <c>int64 [batch]</c> of class
    /// indices from 0. Defaults: mean squared error, binary cross-entropy on logits, cross-entropy on logits.
    /// </summary>
    public Func<Tensor, Tensor, Tensor>? Loss { get; set; }

    /// <summary>What to do with rows whose features, or regression label, hold NaN or ±Infinity. Default <see cref="InvalidFeatureHandling.Error"/>.</summary>
    public InvalidFeatureHandling InvalidFeatureHandling { get; set; } = InvalidFeatureHandling.Error;

    /// <summary>Called after every epoch with its loss. Exceptions thrown by the callback are not caught.</summary>
    public Action<TorchModuleEpochInfo>? OnEpochCompleted { get; set; }

    /// <summary>Creates a copy of these options.</summary>
    public TorchModuleTrainerOptions Clone() => (TorchModuleTrainerOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(FeatureColumnName))
        {
            throw Invalid(nameof(FeatureColumnName), "must name a column.");
        }

        if (string.IsNullOrWhiteSpace(LabelColumnName))
        {
            throw Invalid(nameof(LabelColumnName), "must name a column.");
        }

        if (Epochs < 1)
        {
            throw Invalid(nameof(Epochs), $"must be at least 1, was {Epochs}.");
        }

        if (BatchSize < 1)
        {
            throw Invalid(nameof(BatchSize), $"must be at least 1, was {BatchSize}.");
        }

        if (!Enum.IsDefined(Optimizer))
        {
            throw Invalid(nameof(Optimizer), $"unknown optimizer {Optimizer}.");
        }

        if (!(LearningRate > 0) || LearningRate > float.MaxValue)
        {
            throw Invalid(nameof(LearningRate), $"must be a positive number no larger than {float.MaxValue:G9} (the largest float32, the weights' type), was {LearningRate}.");
        }

        if (!(WeightDecay >= 0) || WeightDecay > float.MaxValue)
        {
            throw Invalid(nameof(WeightDecay), $"must be zero or a positive number no larger than {float.MaxValue:G9} (the largest float32, the weights' type), was {WeightDecay}.");
        }

        if (!(Momentum >= 0) || double.IsInfinity(Momentum))
        {
            throw Invalid(nameof(Momentum), $"must be zero or a positive finite number, was {Momentum}.");
        }

        if (!Enum.IsDefined(InvalidFeatureHandling))
        {
            throw Invalid(nameof(InvalidFeatureHandling), $"unknown value {InvalidFeatureHandling}.");
        }
    }

    internal Device ResolveDevice() => Device ?? torch.CPU;

    private static ArgumentException Invalid(string option, string message)
        => new($"TorchModuleTrainerOptions.{option} {message}", option);
}
