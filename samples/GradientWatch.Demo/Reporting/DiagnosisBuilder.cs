using System.Globalization;
using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Reporting;

/// <summary>Builds a <see cref="Diagnosis"/> from what a run recorded.</summary>
internal static class DiagnosisBuilder
{
    public static Diagnosis Build(DemoRun run)
    {
        var issues = run.Issues
            .Where(e => e.Kind is not null)
            .GroupBy(e => e.Kind!.Value)
            .Select(g => new IssueFinding(
                g.Key,
                g.Max(e => e.Severity),
                g.Count(),
                g.Min(e => e.Step),
                g.Max(e => e.Step),
                g.SelectMany(e => e.Layers).Distinct().OrderBy(l => IndexOf(run, l)).ToArray()))
            .OrderByDescending(i => i.Severity)
            .ThenBy(i => i.FirstStep)
            .ToArray();
        var remedies = run.Remedies
            .Where(e => e.Remedy is not null)
            .GroupBy(e => e.Remedy!)
            .Select(g => (g.Key, g.Count()))
            .ToArray();
        var advice = run.Events.Where(e => !string.IsNullOrWhiteSpace(e.Advice)).Select(e => e.Advice!).Distinct().ToArray();
        return new Diagnosis { Run = run, Issues = issues, Remedies = remedies, Advice = advice, Verdict = Verdict(run, issues) };
    }

    private static int IndexOf(DemoRun run, string layer)
    {
        int index = run.LayerNames.ToList().IndexOf(layer);
        return index < 0 ? int.MaxValue : index;
    }

    private static string Verdict(DemoRun run, IReadOnlyList<IssueFinding> issues)
    {
        var c = CultureInfo.InvariantCulture;
        double start = run.EpochLosses.Count > 0 ? run.EpochLosses[0] : double.NaN;
        double end = run.FinalLoss;
        string loss = double.IsFinite(end)
            ? string.Create(c, $"loss {start:G3} → {end:G3}")
            : string.Create(c, $"loss diverged (non-finite from step {run.Snapshots.FirstOrDefault(s => s.Loss is { } l && !double.IsFinite(l))?.Step ?? 0})");
        if (issues.Count == 0)
        {
            return $"healthy: no gradient issues in {run.Snapshots.Count} steps; {loss}";
        }

        string found = string.Join(", ", issues.Select(i => $"{Name(i.Kind)} ({i.Count}×, first at step {i.FirstStep})"));
        string outcome = !double.IsFinite(end) ? "training was lost"
            : end > 0.8 * start ? "training stalled (the loss barely moved)"
            : "training finished";
        return $"{outcome}: {found}; {loss}";
    }

    /// <summary>The snake_case name of an issue kind, as in events and metrics.</summary>
    public static string Name(GradientIssueKind kind) => kind switch
    {
        GradientIssueKind.NonFinite => "non_finite",
        GradientIssueKind.DeadUnits => "dead_units",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
