namespace GradientWatch.Corpus.Runs;

/// <summary>
/// The corpus: seeded runs over real datasets, grouped in families that range from well-tuned to pathological. Every
/// dataset (and series window) has one well-tuned reference run (family <c>reference</c>) that anchors the healthy label.
/// </summary>
internal static class CorpusDefinition
{
    private static readonly string[] Tabular = ["iris", "wine", "linnerud", "fair", "randhie", "star98", "modechoice", "macrodata"];

    private static readonly (string Name, int Window)[] Series = [("co2", 32), ("sunspots", 16), ("elnino", 24), ("macrodata-infl", 16)];

    private static readonly (string Name, int Window)[] LongSeries = [("co2", 128), ("sunspots", 64)];

    /// <summary>Datasets (and series) whose runs the quick subset draws from.</summary>
    private static readonly HashSet<string> QuickData = ["iris", "star98", "fair", "sunspots"];

    /// <summary>The well-tuned reference of a dataset: Adam 3e-3, a 3×64 ReLU MLP, batch 32, seed 0.</summary>
    public static RunSpec Reference(string dataset, int window) => new()
    {
        Dataset = dataset,
        Window = window,
        Depth = 3,
        Width = 64,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 3e-3,
        BatchSize = 32,
        Family = "reference",
        Quick = QuickData.Contains(dataset),
    };

    /// <summary>Every run of the corpus, references first.</summary>
    public static IReadOnlyList<RunSpec> All()
    {
        var runs = new List<RunSpec>();
        runs.AddRange(Tabular.Select(d => Reference(d, 0)));
        runs.AddRange(Series.Concat(LongSeries).Select(s => Reference(s.Name, s.Window)));

        // Healthy settings over every tabular set, two seeds each (the pairs also measure seed noise).
        foreach (string d in Tabular)
        {
            foreach (int seed in new[] { 1, 2 })
            {
                var b = new RunSpec { Dataset = d, Seed = seed, Family = "healthy" };
                bool quick = d is "iris" or "star98" && seed == 1;
                runs.Add(b with { Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Quick = quick });
                runs.Add(b with { Optimizer = OptimizerKind.AdamW, LearningRate = 3e-3, BatchSize = 64, Activation = Activation.Tanh, Quick = quick });
                runs.Add(b with { Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 16, Depth = 4, Width = 64, Normalization = Normalization.Layer, Quick = quick });
                runs.Add(b with { Optimizer = OptimizerKind.Momentum, LearningRate = 0.01, Quick = quick });
            }
        }

        // Learning-rate sweep, timid to divergent, on a 4×64 ReLU MLP.
        foreach (string d in Tabular)
        {
            var b = new RunSpec { Dataset = d, Depth = 4, Width = 64, Family = "lr-sweep", Quick = d is "iris" or "star98" };
            foreach (double lr in new[] { 0.003, 0.1, 1.0, 3.0 })
            {
                runs.Add(b with { Optimizer = OptimizerKind.Sgd, LearningRate = lr });
            }

            foreach (double lr in new[] { 0.1, 0.5 })
            {
                runs.Add(b with { Optimizer = OptimizerKind.Momentum, LearningRate = lr });
            }
        }

        // Adam with learning rates far too high (dead ReLUs, spikes).
        foreach (string d in new[] { "fair", "randhie", "star98", "modechoice" })
        {
            foreach (double lr in new[] { 0.03, 0.3 })
            {
                runs.Add(new RunSpec { Dataset = d, Optimizer = OptimizerKind.Adam, LearningRate = lr, Width = 64, Family = "adam-high", Quick = d == "fair" });
            }
        }

        // Deep networks: saturating activations, depth, normalization, residual paths.
        foreach (string d in new[] { "iris", "wine", "star98", "macrodata" })
        {
            var b = new RunSpec { Dataset = d, Depth = 12, Width = 32, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Family = "deep", Quick = d == "iris" };
            runs.Add(b with { Activation = Activation.Sigmoid });
            runs.Add(b with { Activation = Activation.Tanh });
            runs.Add(b with { Activation = Activation.ReLU, LearningRate = 0.05 });
            runs.Add(b with { Activation = Activation.Sigmoid, Depth = 16, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3 });
            runs.Add(b with { Activation = Activation.Sigmoid, Normalization = Normalization.Layer });
            runs.Add(b with { Architecture = Architecture.ResidualMlp, LearningRate = 0.05 });
            runs.Add(b with { Normalization = Normalization.Batch, Optimizer = OptimizerKind.Momentum, LearningRate = 0.05 });
        }

        // Recurrent models over time-series windows, including long windows.
        foreach (var (name, window) in Series)
        {
            var b = new RunSpec { Dataset = name, Window = window, Width = 16, Depth = 2, Family = "sequence", Quick = name == "sunspots" };
            runs.Add(b with { Architecture = Architecture.Rnn, Activation = Activation.Tanh, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05 });
            runs.Add(b with { Architecture = Architecture.Rnn, Activation = Activation.ReLU, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05 });
            runs.Add(b with { Architecture = Architecture.Gru, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 });
            runs.Add(b with { Architecture = Architecture.Lstm, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 });
            runs.Add(b with { Architecture = Architecture.Rnn, Activation = Activation.Tanh, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3 });
            runs.Add(b with { Architecture = Architecture.Gru, Optimizer = OptimizerKind.Sgd, LearningRate = 0.5 });
        }

        foreach (var (name, window) in LongSeries)
        {
            var b = new RunSpec { Dataset = name, Window = window, Width = 16, Depth = 2, Steps = 100, Family = "long-sequence" };
            runs.Add(b with { Architecture = Architecture.Rnn, Activation = Activation.Tanh, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 });
            runs.Add(b with { Architecture = Architecture.Rnn, Activation = Activation.ReLU, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 });
            runs.Add(b with { Architecture = Architecture.Lstm, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 });
            runs.Add(b with { Architecture = Architecture.Gru, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 });
        }

        // 1-D convolutions and a small transformer over the same windows.
        foreach (var (name, window) in Series)
        {
            var b = new RunSpec { Dataset = name, Window = window, Width = 16, Depth = 3, Family = "conv-transformer" };
            runs.Add(b with { Architecture = Architecture.Conv1d, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3 });
            runs.Add(b with { Architecture = Architecture.Conv1d, Activation = Activation.Tanh, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 });
            runs.Add(b with { Architecture = Architecture.Conv1d, Optimizer = OptimizerKind.Sgd, LearningRate = 1.0 });
            runs.Add(b with { Architecture = Architecture.Transformer, Depth = 2, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3 });
            runs.Add(b with { Architecture = Architecture.Transformer, Depth = 2, Optimizer = OptimizerKind.Adam, LearningRate = 3e-2 });
        }

        // Batch sizes at both ends of the range.
        foreach (string d in new[] { "randhie", "fair" })
        {
            foreach (int batch in new[] { 8, 256 })
            {
                runs.Add(new RunSpec { Dataset = d, BatchSize = batch, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Family = "batch-size" });
                runs.Add(new RunSpec { Dataset = d, BatchSize = batch, Optimizer = OptimizerKind.Sgd, LearningRate = 0.3, Family = "batch-size" });
            }
        }

        return runs;
    }

    /// <summary>The quick subset the test suite runs (about 40 runs, references of its datasets included).</summary>
    public static IReadOnlyList<RunSpec> Quick() => All().Where(r => r.Quick).ToList();
}
