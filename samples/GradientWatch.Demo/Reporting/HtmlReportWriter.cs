using System.Globalization;
using System.Net;
using System.Text;

namespace GradientWatch.Demo.Reporting;

/// <summary>Writes a scenario's HTML report: inline CSS, plots referenced as PNG files in the same folder.</summary>
internal static class HtmlReportWriter
{
    internal const string Style = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1060px;margin:2em auto;padding:0 1em;color:#222}
        h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
        th{background:#f4f4f4}.error{color:#b00020;font-weight:600}.warning{color:#a66300}.info{color:#555}
        img{max-width:100%;border:1px solid #eee}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}
        .verdict{font-size:1.1em;padding:.6em;background:#f6f8fa;border-left:4px solid #0366d6}code{background:#f4f4f4;padding:0 .2em}
        """;

    public static void Write(string path, ScenarioOutcome outcome, IReadOnlyList<ReportSection> sections, IReadOnlyList<ReportImage> overlays)
    {
        var html = new StringBuilder();
        string title = "GradientWatch demo: " + outcome.Scenario.Title;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>")
            .Append(Style).Append("</style></head><body>\n");
        html.Append("<h1>").Append(E(outcome.Scenario.Title)).Append("</h1>\n<p>").Append(E(outcome.Scenario.Description)).Append("</p>\n");
        html.Append("<p>Trained with: ").Append(E(outcome.TrainedWith)).Append(". Files: ");
        html.Append(string.Join(", ", outcome.Files.Where(f => !f.EndsWith(".png", StringComparison.Ordinal) && f != ScenarioOutcome.ReportFile)
            .Select(f => $"<a href=\"{E(f)}\"><code>{E(f)}</code></a>")));
        html.Append(".</p>\n");
        if (overlays.Count > 0)
        {
            html.Append("<h2>Side by side</h2>\n");
            AppendRunTable(html, sections);
            foreach (var image in overlays)
            {
                AppendImage(html, image);
            }
        }

        foreach (var section in sections)
        {
            AppendSection(html, section);
        }

        html.Append("</body></html>\n");
        File.WriteAllText(path, html.ToString());
    }

    private static void AppendRunTable(StringBuilder html, IReadOnlyList<ReportSection> sections)
    {
        html.Append("<table><tr><th>run</th><th>final loss</th><th>issues</th><th>remedies</th><th>skipped steps</th></tr>\n");
        foreach (var s in sections)
        {
            html.Append("<tr><td>").Append(E(s.Run.Spec.Label)).Append("</td><td>").Append(E(Number(s.Run.FinalLoss))).Append("</td><td>")
                .Append(E(string.Join(", ", s.Diagnosis.Issues.Select(i => $"{DiagnosisBuilder.Name(i.Kind)} ×{i.Count}")))).Append("</td><td>")
                .Append(E(string.Join(", ", s.Diagnosis.Remedies.Select(r => $"{r.Remedy} ×{r.Count}")))).Append("</td><td>")
                .Append(s.Run.SkippedSteps.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendSection(StringBuilder html, ReportSection section)
    {
        var run = section.Run;
        var d = section.Diagnosis;
        html.Append("<h2>").Append(E(run.Spec.Label)).Append(" <small>(run <code>").Append(E(run.Name)).Append("</code>)</small></h2>\n");
        html.Append("<p>Model: ").Append(E(run.Spec.ModelDescription)).Append(". ")
            .Append(string.Create(CultureInfo.InvariantCulture, $"{run.Snapshots.Count} steps in {run.Spec.Epochs} epochs of {run.Spec.StepsPerEpoch} batches, {run.Elapsed.TotalSeconds:F1} s."))
            .Append("</p>\n");
        html.Append("<p class=\"verdict\">").Append(E(d.Verdict)).Append("</p>\n");
        html.Append("<h3>Issues found</h3>\n");
        if (d.Issues.Count == 0)
        {
            html.Append("<p>None.</p>\n");
        }
        else
        {
            html.Append("<table><tr><th>issue</th><th>severity</th><th>events</th><th>steps</th><th>layers</th></tr>\n");
            foreach (var i in d.Issues)
            {
                html.Append("<tr><td>").Append(E(DiagnosisBuilder.Name(i.Kind))).Append("</td><td class=\"").Append(i.Severity.ToString().ToLowerInvariant()).Append("\">")
                    .Append(E(i.Severity.ToString())).Append("</td><td>").Append(i.Count.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                    .Append(string.Create(CultureInfo.InvariantCulture, $"{i.FirstStep}–{i.LastStep}")).Append("</td><td>")
                    .Append(E(i.Layers.Count == 0 ? "whole model" : string.Join(", ", i.Layers))).Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("<h3>Remedies applied</h3>\n");
        html.Append(d.Remedies.Count == 0
            ? "<p>None.</p>\n"
            : "<ul>" + string.Concat(d.Remedies.Select(r => $"<li><code>{E(r.Remedy)}</code> on {r.Count} step(s)</li>")) + "</ul>\n");
        if (d.Advice.Count > 0)
        {
            html.Append("<h3>Advice</h3>\n<ul>").Append(string.Concat(d.Advice.Select(a => $"<li>{E(a)}</li>"))).Append("</ul>\n");
        }

        foreach (var image in section.Images)
        {
            AppendImage(html, image);
        }

        AppendEvents(html, run);
    }

    private static void AppendEvents(StringBuilder html, Training.DemoRun run)
    {
        var notable = run.Events.Where(e => e.Severity >= GradientEventSeverity.Warning || e.Remedy is "reduce_lr" or "skip_step").Take(40).ToArray();
        html.Append("<h3>Notable events</h3>\n");
        if (notable.Length == 0)
        {
            html.Append("<p>None.</p>\n");
            return;
        }

        html.Append("<table><tr><th>step</th><th>severity</th><th>what</th><th>message</th></tr>\n");
        foreach (var e in notable)
        {
            string what = e.Type == GradientEventType.Issue && e.Kind is { } k ? DiagnosisBuilder.Name(k) : e.Remedy ?? string.Empty;
            html.Append("<tr><td>").Append(e.Step.ToString(CultureInfo.InvariantCulture)).Append("</td><td class=\"").Append(e.Severity.ToString().ToLowerInvariant()).Append("\">")
                .Append(E(e.Severity.ToString())).Append("</td><td>").Append(E(what)).Append("</td><td>").Append(E(e.Message)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        int rest = run.Events.Count - notable.Length;
        if (rest > 0)
        {
            html.Append("<p>").Append(rest.ToString(CultureInfo.InvariantCulture)).Append(" more events (mostly clipping) are in <a href=\"")
                .Append(ScenarioOutcome.EventsFile).Append("\"><code>").Append(ScenarioOutcome.EventsFile).Append("</code></a>.</p>\n");
        }
    }

    private static void AppendImage(StringBuilder html, ReportImage image)
        => html.Append("<figure><img src=\"").Append(E(image.File)).Append("\" alt=\"").Append(E(image.Caption)).Append("\"><figcaption>")
            .Append(E(image.Caption)).Append("</figcaption></figure>\n");

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("G4", CultureInfo.InvariantCulture) : "diverged (" + value.ToString(CultureInfo.InvariantCulture) + ")";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
