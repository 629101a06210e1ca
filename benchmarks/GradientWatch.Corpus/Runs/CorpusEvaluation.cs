using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.Runs;

/// <summary>Trains a list of runs under the given remedy configurations, labels each from its detection-only run, and pairs them up.</summary>
internal static class CorpusEvaluation
{
    /// <param name="specs">The runs, each with its dataset's reference run (family <c>reference</c>) unless <paramref name="knownReferences"/> holds it.</param>
    /// <param name="configs">Remedy configurations; <see cref="RemedyConfig.None"/> is required (the labels come from it).</param>
    /// <param name="progress">Receives one line per trained run.</param>
    /// <param name="knownReferences">Reference losses already measured, by dataset and window (see <see cref="References"/>).</param>
    public static IReadOnlyList<CorpusEntry> Run(IReadOnlyList<RunSpec> specs, IReadOnlyList<RemedyConfig> configs, Action<string>? progress = null,
        IReadOnlyDictionary<(string Dataset, int Window), double>? knownReferences = null)
    {
        if (!configs.Contains(RemedyConfig.None))
        {
            throw new ArgumentException("the detection-only configuration (None) is needed for the labels", nameof(configs));
        }

        var results = new List<Dictionary<RemedyConfig, RunResult>>();
        int index = 0;
        foreach (var spec in specs)
        {
            index++;
            var byConfig = new Dictionary<RemedyConfig, RunResult>();
            foreach (var config in configs)
            {
                byConfig[config] = CorpusRunner.Run(spec, config);
            }

            results.Add(byConfig);
            var b = byConfig[RemedyConfig.None];
            progress?.Invoke($"[{index,3}/{specs.Count}] {spec.Id,-64} {b.Trajectory.EvalStart,8:G3} → {b.Trajectory.EvalFinal,-9:G3} {byConfig.Values.Sum(r => r.Seconds),5:F1}s");
        }

        // References: the well-tuned run of each dataset (and window); the best of reference and corpus when no reference ran.
        var references = knownReferences?.ToDictionary() ?? new Dictionary<(string Dataset, int Window), double>();
        for (int i = 0; i < specs.Count; i++)
        {
            if (specs[i].Family == "reference")
            {
                references[(specs[i].Dataset, specs[i].Window)] = results[i][RemedyConfig.None].Trajectory.EvalFinal;
            }
        }

        var entries = new List<CorpusEntry>();
        for (int i = 0; i < specs.Count; i++)
        {
            var key = (specs[i].Dataset, specs[i].Window);
            if (!references.TryGetValue(key, out double reference))
            {
                throw new InvalidOperationException($"no reference run for {specs[i].Dataset} (window {specs[i].Window}); include CorpusDefinition.Reference(...) in the run list");
            }

            var label = Labeller.Label(results[i][RemedyConfig.None].Trajectory, reference);
            entries.Add(new CorpusEntry(specs[i], label, results[i], reference));
        }

        return entries;
    }

    /// <summary>The reference loss of every dataset (and window) whose reference run is among <paramref name="entries"/>.</summary>
    public static IReadOnlyDictionary<(string Dataset, int Window), double> References(IEnumerable<CorpusEntry> entries)
        => entries.Where(e => e.Spec.Family == "reference").ToDictionary(e => (e.Spec.Dataset, e.Spec.Window), e => e.Reference);
}
