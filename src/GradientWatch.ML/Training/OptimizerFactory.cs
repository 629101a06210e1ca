using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.ML.Training;

/// <summary>Creates the configured optimizer over the module's parameters.</summary>
internal static class OptimizerFactory
{
    public static optim.Optimizer Create(TorchModuleTrainerOptions options, IEnumerable<Parameter> parameters) => options.Optimizer switch
    {
        TorchOptimizer.Sgd => optim.SGD(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        TorchOptimizer.Adam => optim.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        TorchOptimizer.AdamW => optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };
}
