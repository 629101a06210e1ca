using System.Net;
using System.Text;

namespace GradientWatch.Demo.Reporting;

/// <summary>Writes <c>index.html</c> in the output folder: one line per scenario, linking its report.</summary>
internal static class IndexPageWriter
{
    public const string FileName = "index.html";

    public static void Write(string directory, IReadOnlyList<ScenarioOutcome> outcomes)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>GradientWatch demo</title><style>")
            .Append(HtmlReportWriter.Style).Append("</style></head><body>\n<h1>GradientWatch demo</h1>\n<table><tr><th>scenario</th><th>verdict</th></tr>\n");
        foreach (var o in outcomes)
        {
            string link = Path.GetRelativePath(directory, Path.Combine(o.Directory, ScenarioOutcome.ReportFile)).Replace('\\', '/');
            html.Append("<tr><td><a href=\"").Append(WebUtility.HtmlEncode(link)).Append("\">").Append(WebUtility.HtmlEncode(o.Scenario.Title)).Append("</a></td><td>")
                .Append(WebUtility.HtmlEncode(string.Join(" | ", o.Diagnoses.Select(d => $"{d.Run.Spec.Label}: {d.Verdict}")))).Append("</td></tr>\n");
        }

        html.Append("</table>\n</body></html>\n");
        File.WriteAllText(Path.Combine(directory, FileName), html.ToString());
    }
}
