using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GradientWatch.Demo.Live;

/// <summary>Renders a <see cref="ProgressState"/> for the live view: headline numbers, a per-layer log-scale bar of gradient norms, and the latest events.</summary>
internal static class ProgressRenderer
{
    private const int BarWidth = 40;

    public static IRenderable Render(ProgressState state)
    {
        var c = CultureInfo.InvariantCulture;
        var spec = state.Spec;
        var s = state.Latest;
        var rows = new List<IRenderable>();
        if (spec is null)
        {
            rows.Add(new Markup("[grey]starting…[/]"));
            return Wrap(state, rows);
        }

        rows.Add(new Markup($"[bold]{Markup.Escape(spec.Label)}[/] [grey]({Markup.Escape(spec.ModelDescription)})[/]"));
        if (s is not null)
        {
            string lr = s.LearningRates.Count > 0 ? s.LearningRates[0].ToString("G3", c) : "?";
            string norm = s.GlobalGradientNorm.ToString("G3", c);
            if (Math.Abs(s.GlobalGradientNormAfterRemedies - s.GlobalGradientNorm) > 1e-9 * Math.Max(1, Math.Abs(s.GlobalGradientNorm)) && double.IsFinite(s.GlobalGradientNormAfterRemedies))
            {
                norm += " → " + s.GlobalGradientNormAfterRemedies.ToString("G3", c);
            }

            string loss = s.Loss is { } l ? l.ToString("G4", c) : "?";
            string lossColour = s.Loss is { } v && !double.IsFinite(v) ? "red" : "white";
            rows.Add(new Markup(
                $"step [bold]{s.Step}[/]/{spec.TotalSteps}   epoch [bold]{state.Epoch}[/]/{spec.Epochs}   loss [bold {lossColour}]{Markup.Escape(loss)}[/]   "
                + $"global |g| [bold]{Markup.Escape(norm)}[/]   lr [bold]{Markup.Escape(lr)}[/]   issues {state.Issues}   remedies {state.RemedyActions}   skipped {state.Skipped}"));
            rows.Add(LayerTable(state, s));
        }

        rows.Add(new Rule("[grey]latest events[/]").LeftJustified());
        if (state.RecentEvents.Count == 0)
        {
            rows.Add(new Markup("[grey]none yet[/]"));
        }

        foreach (var e in state.RecentEvents)
        {
            rows.Add(new Markup($"[{EventText.Colour(e.Severity)}]{Markup.Escape(EventText.Describe(e))}[/]"));
        }

        return Wrap(state, rows);
    }

    private static Table LayerTable(ProgressState state, StepSnapshot s)
    {
        var table = new Table().Border(TableBorder.Simple).HideRowSeparators();
        table.AddColumn("layer");
        table.AddColumn(new TableColumn($"gradient norm, log scale 1e{LogBar.MinExponent} … 1e+{LogBar.MaxExponent}"));
        table.AddColumn(new TableColumn("|g|").RightAligned());
        table.AddColumn(new TableColumn("issue"));
        foreach (var layer in s.Layers)
        {
            var flag = state.FlagOf(layer.Name);
            string colour = !double.IsFinite(layer.GradientNorm) || flag is GradientIssueKind.Exploding or GradientIssueKind.NonFinite
                ? "red"
                : flag is GradientIssueKind.Vanishing ? "deepskyblue1" : flag is not null ? "yellow" : "green";
            string note = flag is { } k ? Reporting.DiagnosisBuilder.Name(k) : string.Empty;
            table.AddRow(
                new Markup(Markup.Escape(layer.Name)),
                new Markup($"[{colour}]{LogBar.Render(layer.GradientNorm, BarWidth)}[/]"),
                new Markup($"[{colour}]{Markup.Escape(layer.GradientNorm.ToString("0.0e+0", CultureInfo.InvariantCulture))}[/]"),
                new Markup($"[{colour}]{Markup.Escape(note)}[/]"));
        }

        return table;
    }

    private static Panel Wrap(ProgressState state, List<IRenderable> rows)
        => new Panel(new Rows(rows)).Header($"[bold]GradientWatch[/] · {Markup.Escape(state.ScenarioTitle)}").Expand();
}
