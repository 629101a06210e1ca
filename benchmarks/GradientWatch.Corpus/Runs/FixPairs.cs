namespace GradientWatch.Corpus.Runs;

/// <summary>The eight classic fixes for exploding and vanishing gradients, each as a pair of corpus runs.</summary>
internal static class FixPairs
{
    public static IReadOnlyList<FixPair> All()
    {
        var b = new RunSpec { Dataset = "iris", Width = 32, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Family = "fix" };
        var sgdMlp = b with { Dataset = "star98", Depth = 4, Width = 64, LearningRate = 1.0 };
        var deepSigmoidAdam = b with { Dataset = "wine", Depth = 8, Activation = Activation.Sigmoid, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 };
        var deeperSigmoidAdam = b with { Depth = 12, Activation = Activation.Sigmoid, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 };
        var deepSigmoidFast = b with { Depth = 12, Activation = Activation.Sigmoid, LearningRate = 0.5 };
        var deepSigmoid = b with { Depth = 12, Activation = Activation.Sigmoid };
        var reluRnn = b with { Dataset = "co2", Window = 128, Architecture = Architecture.Rnn, Width = 16, Depth = 2, LearningRate = 0.3, Steps = 100 };
        var sgdRandhie = b with { Dataset = "randhie", Depth = 4, Width = 64, LearningRate = 1.0 };
        return
        [
            new(1, "a lower learning rate", "SGD at lr 1.0 on a 4×64 ReLU MLP (star98)", sgdMlp, sgdMlp with { LearningRate = 0.05 }, "lower the learning rate"),
            new(2, "ReLU-family activations instead of sigmoid", "8-layer sigmoid MLP (Adam 3e-3)", deepSigmoidAdam, deepSigmoidAdam with { Activation = Activation.ReLU }, "ReLU-family"),
            new(3, "a shorter network", "12-layer sigmoid MLP, SGD 0.5", deepSigmoidFast, deepSigmoidFast with { Depth = 3 }, "shorter network"),
            new(4, "residual connections", "12-layer sigmoid MLP (Adam 3e-3)", deeperSigmoidAdam, deeperSigmoidAdam with { Architecture = Architecture.ResidualMlp }, "residual"),
            new(5, "LSTM instead of a plain RNN", "plain ReLU RNN over 128-week CO2 windows, SGD 0.3", reluRnn, reluRnn with { Architecture = Architecture.Lstm }, "LSTM"),
            new(6, "batch normalization", "12-layer sigmoid MLP, SGD 0.1", deepSigmoid, deepSigmoid with { Normalization = Normalization.Batch }, "LayerNorm/BatchNorm"),
            new(7, "gradient clipping (in the training loop, at 0.25)", "SGD at lr 1.0 on a 4×64 ReLU MLP (randhie)", sgdRandhie, sgdRandhie with { LoopClipNorm = 0.25 }, "clipping"),
            new(8, "an L2 penalty (weight decay 0.01) and a truncated context window (32)", "plain ReLU RNN over 128-week CO2 windows, SGD 0.3", reluRnn, reluRnn with { WeightDecay = 1e-2, Window = 32 }, "truncate"),
        ];
    }

    /// <summary>Alternative pairs tried while choosing the published ones (<c>--pairs-only --candidates</c>).</summary>
    public static IReadOnlyList<FixPair> Candidates()
    {
        var b = new RunSpec { Dataset = "iris", Width = 32, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Family = "fix" };
        var sig8w = b with { Dataset = "wine", Depth = 8, Activation = Activation.Sigmoid, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 };
        var sig5 = b with { Depth = 5, Activation = Activation.Sigmoid, LearningRate = 0.5 };
        var sig12adam = b with { Depth = 12, Activation = Activation.Sigmoid, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 };
        var relu16adam = b with { Dataset = "wine", Depth = 16, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3 };
        return
        [
            new(25, "relu c", "", sig8w, sig8w with { Activation = Activation.ReLU }, "ReLU-family"),
            new(26, "relu d", "", sig5, sig5 with { Activation = Activation.ReLU }, "ReLU-family"),
            new(27, "leaky e", "", sig12adam, sig12adam with { Activation = Activation.LeakyReLU }, "ReLU-family"),
            new(45, "residual e", "", sig12adam, sig12adam with { Architecture = Architecture.ResidualMlp }, "residual"),
            new(46, "residual f", "", relu16adam, relu16adam with { Architecture = Architecture.ResidualMlp }, "residual"),
        ];
    }
}
