namespace GradientWatch.Corpus.Runs;

/// <summary>The eight classic fixes for exploding and vanishing gradients, each as a pair of corpus runs.</summary>
internal static class FixPairs
{
    public static IReadOnlyList<FixPair> All()
    {
        var sgdMlp = new RunSpec { Dataset = "star98", Depth = 4, Width = 64, Optimizer = OptimizerKind.Sgd, LearningRate = 1.0, Family = "fix" };
        var deepSigmoid = new RunSpec { Dataset = "iris", Depth = 12, Width = 32, Activation = Activation.Sigmoid, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Family = "fix" };
        var deepTanh = new RunSpec { Dataset = "wine", Depth = 16, Width = 32, Activation = Activation.Tanh, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Family = "fix" };
        var deepRelu = new RunSpec { Dataset = "wine", Depth = 16, Width = 32, Activation = Activation.ReLU, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Family = "fix" };
        var rnn = new RunSpec { Dataset = "sunspots", Window = 64, Architecture = Architecture.Rnn, Activation = Activation.Tanh, Width = 16, Depth = 2, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Steps = 100, Family = "fix" };
        var reluRnn = new RunSpec { Dataset = "co2", Window = 128, Architecture = Architecture.Rnn, Activation = Activation.ReLU, Width = 16, Depth = 2, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Steps = 100, Family = "fix" };
        return
        [
            new(1, "a lower learning rate", "SGD at lr 1.0 on a 4×64 ReLU MLP", sgdMlp, sgdMlp with { LearningRate = 0.05 }, "lower the learning rate"),
            new(2, "ReLU-family activations instead of sigmoid", "12-layer sigmoid MLP", deepSigmoid, deepSigmoid with { Activation = Activation.ReLU, LearningRate = 0.05 }, "ReLU-family"),
            new(3, "a shorter network", "16-layer tanh MLP", deepTanh, deepTanh with { Depth = 3 }, "shorter network"),
            new(4, "residual connections", "16-layer ReLU MLP", deepRelu, deepRelu with { Architecture = Architecture.ResidualMlp }, "residual"),
            new(5, "GRU instead of a plain RNN", "plain tanh RNN over 64-year sunspot windows", rnn, rnn with { Architecture = Architecture.Gru }, "LSTM"),
            new(6, "layer normalization", "12-layer sigmoid MLP", deepSigmoid, deepSigmoid with { Normalization = Normalization.Layer }, "LayerNorm/BatchNorm"),
            new(7, "gradient clipping", "SGD at lr 1.0 on a 4×64 ReLU MLP", sgdMlp, sgdMlp with { LoopClipNorm = 1.0 }, "clipping"),
            new(8, "an L2 penalty and a truncated context window", "ReLU RNN over 128-week CO2 windows", reluRnn, reluRnn with { WeightDecay = 1e-3, Window = 32 }, "truncate"),
        ];
    }
}
