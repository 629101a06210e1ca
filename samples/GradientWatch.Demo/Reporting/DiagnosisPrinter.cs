using System.Globalization;
using Spectre.Console;

namespace GradientWatch.Demo.Reporting;

/// <summary>Prints the end-of-scenario diagnosis: issues found, remedies applied, advice, and where the files are.</summary>
internal static class DiagnosisPrinter
{
    public static void Print(IAnsiConsole console, ScenarioOutcome outcome)
    {
        console.WriteLine();
        console.Write(new Rule($"[bold]Diagnosis · {Markup.Escape(outcome.Scenario.Title)}[/]").LeftJustified());
        foreach (var d in outcome.Diagnoses)
        {
            string colour = d.HasErrors ? (double.IsFinite(d.Run.FinalLoss) ? "yellow" : "red") : "green";
            console.MarkupLine($"[bold]{Markup.Escape(d.Run.Spec.Label)}[/]: [{colour}]{Markup.Escape(d.Verdict)}[/]");
            foreach (var i in d.Issues)
            {
                string layers = i.Layers.Count == 0 ? "whole model" : Abbreviate(i.Layers);
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"  issue   [{Live.EventText.Colour(i.Severity)}]{DiagnosisBuilder.Name(i.Kind)}[/] ({i.Severity.ToString().ToLowerInvariant()}): {i.Count} event(s), steps {i.FirstStep}–{i.LastStep}, layers {Markup.Escape(layers)}"));
            }

            foreach (var (remedy, count) in d.Remedies)
            {
                console.MarkupLine($"  remedy  [green]{Markup.Escape(remedy)}[/] applied on {count} step(s)");
            }

            if (d.Issues.Count == 0 && d.Remedies.Count == 0)
            {
                console.MarkupLine("  [green]no issues, no remedies needed[/]");
            }

            foreach (var advice in d.Advice.Take(3))
            {
                console.MarkupLine($"  advice  {Markup.Escape(advice)}");
            }
        }

        console.MarkupLine($"  [grey]report:[/] {Markup.Escape(Path.Combine(outcome.Directory, ScenarioOutcome.ReportFile))}");
    }

    private static string Abbreviate(IReadOnlyList<string> layers)
        => layers.Count <= 6 ? string.Join(", ", layers) : string.Join(", ", layers.Take(5)) + $" … ({layers.Count} layers)";
}
