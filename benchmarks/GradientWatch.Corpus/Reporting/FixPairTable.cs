using System.Globalization;
using System.Text;
using GradientWatch.Corpus.Runs;

namespace GradientWatch.Corpus.Reporting;

/// <summary>The fix-pair table: problem → detected issue → advice → fix → outcome.</summary>
internal static class FixPairTable
{
    public static string Markdown(IReadOnlyList<FixPairResult> pairs)
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine("| # | problem (pathological run) | label | detected issue | advice naming the fix | fix | fixed run: label, alarms | shown |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var p in pairs)
        {
            string detected = p.Detected.Count == 0 ? "none" : string.Join(", ", p.Detected.Select(k => k.ToString().ToLowerInvariant()));
            string advice = p.Advice is { } a ? Excerpt(a, p.Pair.AdviceKeyword) : "(no advice names it)";
            sb.AppendLine(c, $"| {p.Pair.Number} | {p.Pair.Problem} (`{p.Pair.Pathological.Id}`) | {ResultsReport.Name(p.PathologicalLabel.Primary)} | {detected} | {advice} | {p.Pair.Fix} (`{p.Pair.Fixed.Id}`) | {ResultsReport.Name(p.FixedLabel.Primary)}, {p.FixedAlarms} | {(p.Shown ? "yes" : "no")} |");
        }

        return sb.ToString();
    }

    /// <summary>The advice clause (between semicolons) that contains the keyword.</summary>
    private static string Excerpt(string advice, string keyword)
        => advice.Split(';').Select(s => s.Trim()).FirstOrDefault(s => s.Contains(keyword, StringComparison.OrdinalIgnoreCase)) ?? advice;
}
