using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.Runs;

/// <summary>A fix pair after training both runs.</summary>
internal sealed record FixPairResult(FixPair Pair, RunLabel PathologicalLabel, RunResult Pathological, RunLabel FixedLabel, RunResult Fixed)
{
    /// <summary>Issue kinds raised on the pathological run.</summary>
    public IReadOnlyList<GradientIssueKind> Detected => Pathological.Events.Where(e => !e.IsRemedy && e.Kind is not null).Select(e => e.Kind!.Value).Distinct().ToList();

    /// <summary>The first advice on the pathological run that names the fix, or null.</summary>
    public string? Advice => Pathological.Events.Select(e => e.Advice).FirstOrDefault(a => a is not null && a.Contains(Pair.AdviceKeyword, StringComparison.OrdinalIgnoreCase));

    /// <summary>Warning-or-worse issues on the fixed run.</summary>
    public int FixedAlarms => Fixed.Events.Count(e => !e.IsRemedy && e.Severity >= GradientEventSeverity.Warning);

    /// <summary>Flagged, advice names the fix, and the fixed run is healthy without alarms.</summary>
    public bool Shown => Detected.Count > 0 && Advice is not null && FixedLabel.Primary == LabelKind.Healthy && FixedAlarms == 0;
}
