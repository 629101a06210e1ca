using System.Globalization;
using System.Text;
using GradientWatch.Corpus.Runs;
using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.Reporting;

/// <summary>
/// The RESULTS.md section that shows what the vanishing and dead-unit detectors read on each group of runs (labelled and
/// flagged, labelled and missed, not labelled, healthy), so the distance of every default from the runs it separates is
/// on record.
/// </summary>
internal static class DetectorInputsReport
{
    public static void Write(StringBuilder sb, IReadOnlyList<CorpusEntry> entries)
    {
        var c = CultureInfo.InvariantCulture;
        sb.Append("""

            ## What the vanishing and dead-unit detectors read

            Tuning corpus. Per run (detection only), the value that decides whether the detector trips, as the range over each group of runs (count). Vanishing trips when one layer is below both its thresholds (`RelativeThreshold` on the gradient, `RelativeUpdateThreshold` on the update), dead units at or above their thresholds.

            | input | default | labelled, flagged | labelled, missed | not labelled | healthy |
            |---|---|---|---|---|---|

            """.ReplaceLineEndings("\n"));
        Row(sb, c, entries, "vanishing: lowest 10-step median of a layer's gradient norm over the largest layer's (exactly-zero steps excluded)", "< 1e-3", LabelKind.Vanishing, GradientIssueKind.Vanishing, t => DetectorInputs.LowestVanishingRatio(t));
        Row(sb, c, entries, "vanishing: lowest share of a layer's update ratio ‖Δw‖/‖w‖ (median of 3 measurements) in the fastest layer's", "< 0.05", LabelKind.Vanishing, GradientIssueKind.Vanishing, t => DetectorInputs.LowestUpdateShare(t));
        Row(sb, c, entries, "dead units: highest level a layer's share of units with an exactly-zero gradient holds for 5 measured steps", "≥ 0.5", LabelKind.DeadUnits, GradientIssueKind.DeadUnits, t => DetectorInputs.HighestSustainedFraction(t, t.LayerDeadUnitFractions));
        Row(sb, c, entries, "dead units: the same for a layer's share of exactly-zero gradient elements", "≥ 0.9", LabelKind.DeadUnits, GradientIssueKind.DeadUnits, t => DetectorInputs.HighestSustainedFraction(t, t.LayerZeroFractions));
    }

    private static string G(double v) => double.IsPositiveInfinity(v) ? "∞" : v.ToString("G2", CultureInfo.InvariantCulture).Replace("E-0", "e-", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);

    private static void Row(StringBuilder sb, CultureInfo c, IReadOnlyList<CorpusEntry> entries, string input, string threshold, LabelKind label, GradientIssueKind kind, Func<Trajectory, double> value)
    {
        bool Flagged(CorpusEntry e) => Scorer.FirstIssue(e.Baseline, kind) is not null;
        string Range(IEnumerable<CorpusEntry> group)
        {
            var v = group.Select(e => value(e.Baseline.Trajectory)).ToList();
            return v.Count == 0 ? "–" : $"{G(v.Min())} – {G(v.Max())} ({v.Count.ToString(c)})";
        }

        sb.AppendLine(c, $"| {input} | {threshold} | {Range(entries.Where(e => e.Label.Has(label) && Flagged(e)))} | {Range(entries.Where(e => e.Label.Has(label) && !Flagged(e)))} | {Range(entries.Where(e => !e.Label.Has(label)))} | {Range(entries.Where(e => e.Label.Primary == LabelKind.Healthy))} |");
    }
}
