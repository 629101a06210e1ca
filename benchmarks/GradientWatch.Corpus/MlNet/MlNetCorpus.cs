using GradientWatch.Corpus.Runs;
using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.MlNet;

/// <summary>
/// The ML.NET-path runs: the setup of issue 11's report (two hidden ReLU layers of 64, Adam 1e-3, 20 epochs, batch 32)
/// on every single-target tabular set, and the report's divergent regression (4×64 ReLU, SGD lr 1.2, standardized
/// inputs). Each is trained with detection only, with the README's recommended remedy chain, and with the chain it
/// recommended before (the one issue 11's report used).
/// </summary>
internal static class MlNetCorpus
{
    public const string Family = "ml.net";

    public const int Epochs = 20;

    public const int Seed = 7;

    /// <summary>Remedy configurations every ML.NET-path run is trained under.</summary>
    public static readonly IReadOnlyList<RemedyConfig> Configs = [RemedyConfig.None, RemedyConfig.Recommended, RemedyConfig.PreviousRecommended];

    public static IReadOnlyList<MlNetSetup> All()
    {
        var issue = new RunSpec { Dataset = "", Depth = 3, Width = 64, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 32, Seed = Seed, Family = Family };
        var runs = new List<MlNetSetup>();
        foreach (string d in new[] { "iris", "wine", "fair", "modechoice", "star98", "randhie", "macrodata" })
        {
            runs.Add(new MlNetSetup(issue with { Dataset = d }, Epochs, "issue 11's healthy setup"));
        }

        runs.Add(new MlNetSetup(issue with { Dataset = "randhie", Depth = 4, Optimizer = OptimizerKind.Sgd, LearningRate = 1.2 }, Epochs, "issue 11's divergent regression"));
        return runs;
    }

    /// <summary>Trains every setup under every configuration and labels it (detection-only run) against the dataset's reference loss.</summary>
    public static IReadOnlyList<MlNetEntry> Run(IReadOnlyList<MlNetSetup> setups, IReadOnlyDictionary<(string Dataset, int Window), double> references, Action<string>? progress = null)
    {
        var entries = new List<MlNetEntry>();
        foreach (var setup in setups)
        {
            var outcomes = Configs.ToDictionary(c => c, c => MlNetRunner.Run(setup, c));
            var baseline = outcomes[RemedyConfig.None].Run;
            double reference = references[(setup.Spec.Dataset, setup.Spec.Window)];
            var entry = new CorpusEntry(baseline.Spec, Labeller.Label(baseline.Trajectory, reference), outcomes.ToDictionary(o => o.Key, o => o.Value.Run), reference);
            entries.Add(new MlNetEntry(setup, entry, outcomes));
            progress?.Invoke($"[ML.NET {entries.Count,2}/{setups.Count}] {baseline.Spec.Id,-56} {baseline.Trajectory.EvalStart,8:G3} → {baseline.Trajectory.EvalFinal,-9:G3} {outcomes.Values.Sum(o => o.Run.Seconds),5:F1}s");
        }

        return entries;
    }
}
