using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.Runs;

/// <summary>Trains the fix pairs with GradientWatch's defaults (detection only) and labels both runs against their datasets' references.</summary>
internal static class FixPairRunner
{
    public static IReadOnlyList<FixPairResult> Run(IReadOnlyList<FixPair> pairs, Action<string>? progress = null)
    {
        var references = new Dictionary<(string, int), double>();
        double Reference(RunSpec s)
        {
            if (!references.TryGetValue((s.Dataset, s.Window), out double r))
            {
                r = CorpusRunner.Run(CorpusDefinition.Reference(s.Dataset, s.Window), RemedyConfig.Defaults).Trajectory.EvalFinal;
                references[(s.Dataset, s.Window)] = r;
            }

            return r;
        }

        var results = new List<FixPairResult>();
        foreach (var pair in pairs)
        {
            var bad = CorpusRunner.Run(pair.Pathological, RemedyConfig.Defaults);
            var good = CorpusRunner.Run(pair.Fixed, RemedyConfig.Defaults);
            var result = new FixPairResult(pair, Labeller.Label(bad.Trajectory, Reference(pair.Pathological)), bad, Labeller.Label(good.Trajectory, Reference(pair.Fixed)), good);
            results.Add(result);
            progress?.Invoke($"fix {pair.Number} ({pair.Fix}): {ResultsReport(result)}");
        }

        return results;
    }

    private static string ResultsReport(FixPairResult r)
        => $"{r.PathologicalLabel.Primary} [{string.Join(",", r.Detected)}] advice {(r.Advice is null ? "missing" : "ok")} → {r.FixedLabel.Primary}, {r.FixedAlarms} alarms [{string.Join(",", r.Fixed.Events.Where(e => !e.IsRemedy).Select(e => e.Kind).Distinct())}]{(r.Shown ? "" : "  (not shown)")}";
}
