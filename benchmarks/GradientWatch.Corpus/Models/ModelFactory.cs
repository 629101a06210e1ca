using GradientWatch.Corpus.Runs;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>Builds the model of a run specification.</summary>
internal static class ModelFactory
{
    public static nn.Module<Tensor, Tensor> Create(RunSpec spec, int inputs, int outputs) => spec.Architecture switch
    {
        Architecture.Mlp => new CorpusMlp(inputs, outputs, spec),
        Architecture.ResidualMlp => new ResidualMlp(inputs, outputs, spec),
        Architecture.Conv1d => new Conv1dNet(outputs, spec),
        Architecture.Rnn or Architecture.Gru or Architecture.Lstm => new RecurrentNet(outputs, spec),
        _ => new TinyTransformer(inputs, outputs, spec),
    };

    public static optim.Optimizer Optimizer(RunSpec spec, IEnumerable<TorchSharp.Modules.Parameter> parameters) => spec.Optimizer switch
    {
        OptimizerKind.Sgd => optim.SGD(parameters, spec.LearningRate, weight_decay: spec.WeightDecay),
        OptimizerKind.Momentum => optim.SGD(parameters, spec.LearningRate, momentum: 0.9, weight_decay: spec.WeightDecay),
        OptimizerKind.Adam => optim.Adam(parameters, spec.LearningRate, weight_decay: spec.WeightDecay),
        _ => optim.AdamW(parameters, spec.LearningRate, weight_decay: spec.WeightDecay > 0 ? spec.WeightDecay : 0.01),
    };
}
