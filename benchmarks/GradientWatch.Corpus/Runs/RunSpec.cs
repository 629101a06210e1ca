using System.Globalization;

namespace GradientWatch.Corpus.Runs;

/// <summary>
/// One seeded training run of the corpus, as plain data: dataset, model, optimizer and schedule. Two runs with equal
/// specifications train identically (same seed, same batches, single-threaded).
/// </summary>
internal sealed record RunSpec
{
    /// <summary>Dataset name (see <see cref="Data.DatasetLoader"/>).</summary>
    public required string Dataset { get; init; }

    /// <summary>Window length for time series; 0 for tabular data.</summary>
    public int Window { get; init; }

    public Architecture Architecture { get; init; } = Architecture.Mlp;

    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Number of parameterized layers in an MLP (hidden layers + output), or recurrent/attention blocks.</summary>
    public int Depth { get; init; } = 3;

    public int Width { get; init; } = 32;

    public Normalization Normalization { get; init; } = Normalization.None;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    public double LearningRate { get; init; } = 1e-3;

    public int BatchSize { get; init; } = 32;

    public int Steps { get; init; } = 150;

    public int Seed { get; init; }

    /// <summary>Weight decay (L2) of the optimizer.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Gradient clipping done by the training loop itself (torch's clip_grad_norm_) before GradientWatch sees the step; 0 = none.</summary>
    public double LoopClipNorm { get; init; }

    /// <summary>The family of the corpus this run belongs to (for reports).</summary>
    public string Family { get; init; } = "";

    /// <summary>Part of the quick subset that the test suite runs.</summary>
    public bool Quick { get; init; }

    /// <summary>A short readable identifier, unique within the corpus.</summary>
    public string Id => string.Create(CultureInfo.InvariantCulture,
        $"{Dataset}{(Window > 0 ? $"[{Window}]" : "")}/{Describe()}/{Optimizer.ToString().ToLowerInvariant()} {LearningRate:G3}/b{BatchSize}{(WeightDecay > 0 ? $"/wd{WeightDecay:G2}" : "")}{(LoopClipNorm > 0 ? $"/clip{LoopClipNorm:G2}" : "")}/s{Seed}");

    /// <summary>The model in words, e.g. <c>mlp 12×32 sigmoid layernorm</c>.</summary>
    public string Describe()
    {
        string arch = Architecture switch
        {
            Architecture.Mlp => "mlp",
            Architecture.ResidualMlp => "resmlp",
            Architecture.Conv1d => "conv1d",
            Architecture.Rnn => "rnn",
            Architecture.Gru => "gru",
            Architecture.Lstm => "lstm",
            _ => "transformer",
        };
        string act = Architecture is Architecture.Mlp or Architecture.ResidualMlp or Architecture.Conv1d or Architecture.Rnn ? " " + Activation.ToString().ToLowerInvariant() : "";
        string norm = Normalization == Normalization.None ? "" : " " + Normalization.ToString().ToLowerInvariant() + "norm";
        return $"{arch} {Depth}x{Width}{act}{norm}";
    }
}
