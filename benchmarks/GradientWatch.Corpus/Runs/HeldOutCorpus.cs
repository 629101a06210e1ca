namespace GradientWatch.Corpus.Runs;

/// <summary>
/// The held-out set: run configurations drawn at random, with a fixed and recorded generator seed, from the whole space
/// the corpus covers (datasets and windows, architectures, activations, normalization, depth and width, optimizers,
/// learning rates from timid to divergent, batch sizes, weight decay), with training seeds disjoint from the tuning
/// corpus (which uses seeds 0–2). Nobody chose these runs, and no default was chosen on them: RESULTS.md reports them
/// beside the tuning corpus, never mixed in. Drawing is pure (no data, no TorchSharp), so the set is the same on every
/// machine; changing the space or the generator seed makes a new held-out set, to be recorded in docs/detection-corpus.md.
/// </summary>
internal static class HeldOutCorpus
{
    /// <summary>The generator seed of the published held-out set.</summary>
    public const int GeneratorSeed = 20261202;

    /// <summary>Runs in the published held-out set.</summary>
    public const int Size = 80;

    /// <summary>The family name of held-out runs.</summary>
    public const string Family = "held-out";

    /// <summary>Training seeds of held-out runs are at least this (the tuning corpus uses 0, 1 and 2).</summary>
    public const int FirstSeed = 1000;

    /// <summary>Every dataset, tabular sets and time series alike, drawn with equal probability.</summary>
    public static readonly IReadOnlyList<string> Datasets = [.. Data.DatasetLoader.Tabular, .. Data.DatasetLoader.Series];

    /// <summary>Windows drawn for time series.</summary>
    public static readonly IReadOnlyList<int> Windows = [8, 16, 32, 64, 128];

    /// <summary>Batch sizes drawn (every power of two from 8 to 256).</summary>
    public static readonly IReadOnlyList<int> BatchSizes = [8, 16, 32, 64, 128, 256];

    /// <summary>Learning-rate range per optimizer, drawn log-uniformly: from timid to divergent for each.</summary>
    public static (double Low, double High) LearningRates(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Sgd => (1e-3, 3),
        OptimizerKind.Momentum => (1e-4, 1),
        _ => (1e-4, 0.3),
    };

    /// <summary>Draws <paramref name="count"/> runs with a generator seeded by <paramref name="generatorSeed"/>.</summary>
    public static IReadOnlyList<RunSpec> Draw(int generatorSeed = GeneratorSeed, int count = Size)
    {
        var rng = new Random(generatorSeed);
        var runs = new List<RunSpec>(count);
        for (int i = 0; i < count; i++)
        {
            runs.Add(DrawOne(rng));
        }

        return runs;
    }

    private static RunSpec DrawOne(Random rng)
    {
        string dataset = Pick(rng, Datasets);
        bool series = Data.DatasetLoader.Series.Contains(dataset);
        int window = series ? Pick(rng, Windows) : 0;
        var architecture = series
            ? Weighted(rng, (Architecture.Mlp, 2), (Architecture.ResidualMlp, 1), (Architecture.Conv1d, 2), (Architecture.Rnn, 2), (Architecture.Gru, 1), (Architecture.Lstm, 1), (Architecture.Transformer, 1))
            : Weighted(rng, (Architecture.Mlp, 3), (Architecture.ResidualMlp, 1));
        var activation = architecture == Architecture.Rnn
            ? Pick(rng, [Activation.Tanh, Activation.ReLU])
            : Pick(rng, Enum.GetValues<Activation>());
        int depth = architecture switch
        {
            Architecture.Mlp => Pick(rng, [2, 3, 4, 6, 8, 12, 16]),
            Architecture.ResidualMlp => Pick(rng, [4, 8, 12, 16]),
            Architecture.Conv1d => Pick(rng, [2, 3, 4]),
            _ => Pick(rng, [2, 3]),
        };
        int width = architecture is Architecture.Mlp or Architecture.ResidualMlp ? Pick(rng, [16, 32, 64, 128]) : Pick(rng, [16, 32]);
        var normalization = architecture is Architecture.Mlp or Architecture.ResidualMlp
            ? Weighted(rng, (Normalization.None, 3), (Normalization.Layer, 1), (Normalization.Batch, 1))
            : Normalization.None;
        var optimizer = Pick(rng, Enum.GetValues<OptimizerKind>());
        var (low, high) = LearningRates(optimizer);
        double lr = RoundToTwoDigits(Math.Exp(Math.Log(low) + (rng.NextDouble() * (Math.Log(high) - Math.Log(low)))));
        int batch = Pick(rng, BatchSizes);
        double weightDecay = rng.NextDouble() < 0.2 ? Pick(rng, [1e-4, 1e-3, 1e-2]) : 0;
        int seed = rng.Next(FirstSeed, 1_000_000);
        return new RunSpec
        {
            Dataset = dataset,
            Window = window,
            Architecture = architecture,
            Activation = activation,
            Depth = depth,
            Width = width,
            Normalization = normalization,
            Optimizer = optimizer,
            LearningRate = lr,
            BatchSize = batch,
            WeightDecay = weightDecay,
            Steps = window >= 64 ? 100 : 150,
            Seed = seed,
            Family = Family,
        };
    }

    private static T Pick<T>(Random rng, IReadOnlyList<T> values) => values[rng.Next(values.Count)];

    private static T Weighted<T>(Random rng, params (T Value, int Weight)[] choices)
    {
        int r = rng.Next(choices.Sum(c => c.Weight));
        foreach (var (value, weight) in choices)
        {
            if (r < weight)
            {
                return value;
            }

            r -= weight;
        }

        throw new InvalidOperationException("unreachable");
    }

    private static double RoundToTwoDigits(double v)
    {
        double scale = Math.Pow(10, Math.Floor(Math.Log10(v)) - 1);
        return Math.Round(v / scale) * scale;
    }
}
