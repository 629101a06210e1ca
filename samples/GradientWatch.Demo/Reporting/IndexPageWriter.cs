using System.Net;
using System.Text;

namespace GradientWatch.Demo.Reporting;

/// <summary>
/// Writes <c>index.html</c> in the output folder: per scenario, its title linking the report, the verdict of each run,
/// and thumbnails of its plots (each linking the full-size image).
/// </summary>
internal static class IndexPageWriter
{
    public const string FileName = "index.html";

    /// <summary>Plots shown as thumbnails per scenario, in this order, when the scenario has them.</summary>
    private static readonly string[] Thumbnails = ["layer-norms.png", "loss-lr.png", "compare-loss.png", "compare-global-norm.png", "depth-profile.png"];

    public static void Write(string directory, IReadOnlyList<ScenarioOutcome> outcomes)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>GradientWatch demo</title><style>")
            .Append(HtmlReportWriter.Style)
            .Append(".scenario{margin:1.5em 0;padding-bottom:1em;border-bottom:1px solid #ddd}.thumbs img{width:300px;margin:4px 8px 4px 0;border:1px solid #ccc}")
            .Append("</style></head><body>\n<h1>GradientWatch demo</h1>\n");
        foreach (var o in outcomes)
        {
            string folder = Path.GetRelativePath(directory, o.Directory).Replace('\\', '/');
            string link = folder + "/" + ScenarioOutcome.ReportFile;
            html.Append("<div class=\"scenario\"><h2><a href=\"").Append(WebUtility.HtmlEncode(link)).Append("\">").Append(WebUtility.HtmlEncode(o.Scenario.Title)).Append("</a></h2>\n<ul>");
            foreach (var d in o.Diagnoses)
            {
                html.Append("<li><b>").Append(WebUtility.HtmlEncode(d.Run.Spec.Label)).Append("</b>: ").Append(WebUtility.HtmlEncode(d.Verdict)).Append("</li>");
            }

            html.Append("</ul>\n<div class=\"thumbs\">");
            foreach (string image in ThumbnailsOf(o))
            {
                string src = WebUtility.HtmlEncode(folder + "/" + image);
                html.Append("<a href=\"").Append(src).Append("\"><img src=\"").Append(src).Append("\" alt=\"").Append(WebUtility.HtmlEncode(image)).Append("\" loading=\"lazy\"></a>");
            }

            html.Append("</div></div>\n");
        }

        html.Append("</body></html>\n");
        File.WriteAllText(Path.Combine(directory, FileName), html.ToString());
    }

    /// <summary>The scenario's plots shown on the index: the norms and loss of each run (of the first run when there are several), and comparisons.</summary>
    internal static IEnumerable<string> ThumbnailsOf(ScenarioOutcome outcome)
    {
        var png = outcome.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).ToList();
        foreach (string name in Thumbnails)
        {
            if (png.Contains(name))
            {
                yield return name;
            }
            else if (png.FirstOrDefault(f => f.EndsWith("-" + name, StringComparison.Ordinal) && !name.StartsWith("compare", StringComparison.Ordinal)) is { } prefixed)
            {
                yield return prefixed;
            }
        }
    }
}
