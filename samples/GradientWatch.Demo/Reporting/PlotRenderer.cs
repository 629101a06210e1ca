using GradientWatch.Demo.Training;
using ScottPlot;

namespace GradientWatch.Demo.Reporting;

/// <summary>Draws the report's PNG plots with ScottPlot.</summary>
internal sealed class PlotRenderer
{
    public const int Width = 1000;
    public const int Height = 480;

    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>
    /// A distinct colour for each of <paramref name="count"/> layers, ordered by depth (input → output): the
    /// 10-colour palette while it suffices, a continuous colormap beyond, so no two layers share a colour.
    /// </summary>
    internal static Color LayerColor(int index, int count)
        => count <= 10 ? Palette.GetColor(index) : new ScottPlot.Colormaps.Turbo().GetColor(0.05 + (0.9 * index / Math.Max(1, count - 1)));

    /// <summary>The legend text of a layer, saying when its norm was exactly 0 (log plots cannot draw 0).</summary>
    internal static string LayerLegend(string name, IReadOnlyList<double> norms)
    {
        int zeros = norms.Count(n => n == 0);
        return zeros == 0 ? name
            : zeros == norms.Count ? $"{name} (norm 0 on every step: not drawn)"
            : $"{name} (norm 0 on {zeros} steps: gaps)";
    }

    /// <summary>Per-layer gradient norm over steps, on a log scale, with issue and remedy events marked.</summary>
    public void LayerNorms(DemoRun run, string path)
    {
        var plot = new Plot();
        var steps = run.Snapshots.Select(s => (double)s.Step).ToArray();
        var names = run.LayerNames;
        var all = new List<double>();
        for (int li = 0; li < names.Count; li++)
        {
            var raw = run.Snapshots.Select(s => s.Layers[li].GradientNorm).ToArray();
            var norms = raw.Select(LogAxis.Log).ToArray();
            all.AddRange(norms);
            AddLine(plot, steps, norms, LayerLegend(names[li], raw), LayerColor(li, names.Count), legendEvenWhenEmpty: true);
        }

        MarkEvents(plot, run);
        LogAxis.Apply(plot.Axes.Left, all);
        Finish(plot, $"{run.Spec.Label}: gradient norm per layer", "step", "gradient L2 norm (log scale)", path);
    }

    /// <summary>The depth profile: each layer's gradient norm at a few chosen steps, on a log scale.</summary>
    public void DepthProfile(DemoRun run, string path)
    {
        var plot = new Plot();
        var names = run.LayerNames;
        var positions = Enumerable.Range(0, names.Count).Select(i => (double)i).ToArray();
        var chosen = ChooseSteps(run);
        var allDepth = new List<double>();
        for (int i = 0; i < chosen.Count; i++)
        {
            var snapshot = chosen[i];
            var norms = snapshot.Layers.Select(l => LogAxis.Log(l.GradientNorm)).ToArray();
            var (x, y) = SeriesPoints.Finite(positions, norms);
            var line = plot.Add.Scatter(x, y, Palette.GetColor(i % 10));
            line.LegendText = $"step {snapshot.Step}";
            allDepth.AddRange(norms);
            line.MarkerSize = 7;
            line.LineWidth = 2;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names.ToArray());
        LogAxis.Apply(plot.Axes.Left, allDepth);
        Finish(plot, $"{run.Spec.Label}: depth profile (input → output)", "layer", "gradient L2 norm (log scale)", path);
    }

    /// <summary>Loss (log scale, left) and learning rate (right) over steps.</summary>
    public void LossAndLearningRate(DemoRun run, string path)
    {
        var plot = new Plot();
        var steps = run.Snapshots.Select(s => (double)s.Step).ToArray();
        var losses = run.StepLosses.Select(LogAxis.Log).ToArray();
        AddLine(plot, steps, losses, "loss (log scale, left)", Palette.GetColor(0));
        var lr = run.Snapshots.Select(s => s.LearningRates.Count > 0 ? s.LearningRates[0] : double.NaN).ToArray();
        var (x, y) = SeriesPoints.Finite(steps, lr);
        var lrLine = plot.Add.Scatter(x, y, Palette.GetColor(1));
        lrLine.LegendText = "learning rate (right)";
        lrLine.MarkerSize = 0;
        lrLine.LineWidth = 2;
        lrLine.LinePattern = LinePattern.Dashed;
        lrLine.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "learning rate";
        if (LearningRateAxis(y) is { } limits)
        {
            plot.Axes.SetLimitsY(limits.Bottom, limits.Top, plot.Axes.Right);
        }

        MarkEvents(plot, run);
        LogAxis.Apply(plot.Axes.Left, losses);
        Finish(plot, $"{run.Spec.Label}: loss and learning rate", "step", "loss (log scale)", path);
    }

    /// <summary>
    /// The learning-rate axis: from 0 to a little above the largest rate, so a constant rate is drawn at its value
    /// (not at the middle of an axis spanning −1…1), or null when there is no rate.
    /// </summary>
    internal static (double Bottom, double Top)? LearningRateAxis(IReadOnlyList<double> rates)
    {
        double max = rates.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
        return double.IsFinite(max) && max > 0 ? (0, max * 1.15) : null;
    }

    /// <summary>True when the run measured the step-size α (Cockpit) on some step.</summary>
    public static bool HasStepSize(DemoRun run) => run.Snapshots.Any(s => double.IsFinite(s.StepSizeAlpha));

    /// <summary>Step-size α over steps: 0 lands at the minimum along the step, above 0 overshoots, −1 does not move.</summary>
    public void StepSize(DemoRun run, string path)
    {
        var plot = new Plot();
        var steps = run.Snapshots.Select(s => (double)s.Step).ToArray();
        var alpha = run.Snapshots.Select(s => double.IsFinite(s.StepSizeAlpha) ? Math.Clamp(s.StepSizeAlpha, -2, 5) : double.NaN).ToArray();
        var (x, y) = SeriesPoints.Finite(steps, alpha);
        var points = plot.Add.Scatter(x, y, Palette.GetColor(0));
        points.LegendText = "α per step (clamped to [−2, 5])";
        points.LineWidth = 0;
        points.MarkerSize = 4;
        var zero = plot.Add.HorizontalLine(0, 1, Palette.GetColor(2));
        zero.LegendText = "α = 0: lands at the minimum";
        var over = plot.Add.HorizontalLine(0.5, 1, Palette.GetColor(3));
        over.LinePattern = LinePattern.Dashed;
        over.LegendText = "overshooting threshold (median of 5 steps)";
        MarkEvents(plot, run, includeOvershooting: true);
        Finish(plot, $"{run.Spec.Label}: step size α (Cockpit)", "step", "α", path);
    }

    /// <summary>Several runs overlaid: loss and global gradient norm, on log scales.</summary>
    public void Compare(IReadOnlyList<DemoRun> runs, string lossPath, string normPath)
    {
        var loss = new Plot();
        var norm = new Plot();
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var steps = run.Snapshots.Select(s => (double)s.Step).ToArray();
            AddLine(loss, steps, run.StepLosses.Select(LogAxis.Log).ToArray(), run.Spec.Label, Palette.GetColor(i * 3 % 10));
            AddLine(norm, steps, run.Snapshots.Select(s => LogAxis.Log(s.GlobalGradientNorm)).ToArray(), run.Spec.Label + " (raw)", Palette.GetColor(i * 3 % 10));
            int firstBad = run.Snapshots.FirstOrDefault(s => s.Loss is { } l && !double.IsFinite(l))?.Step is { } bad ? (int)bad : -1;
            if (firstBad > 0)
            {
                foreach (var p in new[] { loss, norm })
                {
                    var line = p.Add.VerticalLine(firstBad, 2, Palette.GetColor(i * 3 % 10));
                    line.LinePattern = LinePattern.Dotted;
                    line.LegendText = $"{run.Spec.Label}: loss non-finite from step {firstBad}";
                }
            }
        }

        LogAxis.Apply(loss.Axes.Left, runs.SelectMany(r => r.StepLosses.Select(LogAxis.Log)));
        LogAxis.Apply(norm.Axes.Left, runs.SelectMany(r => r.Snapshots.Select(s => LogAxis.Log(s.GlobalGradientNorm))));
        Finish(loss, "loss: " + string.Join(" vs ", runs.Select(r => r.Spec.Label)), "step", "loss (log scale)", lossPath);
        Finish(norm, "global gradient norm: " + string.Join(" vs ", runs.Select(r => r.Spec.Label)), "step", "global gradient norm before remedies (log scale)", normPath);
    }

    /// <summary>Up to five full-statistics steps spread over the run: first, quartiles, last.</summary>
    internal static IReadOnlyList<StepSnapshot> ChooseSteps(DemoRun run)
    {
        var full = run.Snapshots.Where(s => s.IsFullStatistics && s.Layers.Any(l => double.IsFinite(l.GradientNorm) && l.GradientNorm > 0)).ToList();
        if (full.Count == 0)
        {
            return Array.Empty<StepSnapshot>();
        }

        return new[] { 0.0, 0.25, 0.5, 0.75, 1.0 }
            .Select(f => full[(int)Math.Round(f * (full.Count - 1))])
            .DistinctBy(s => s.Step)
            .ToArray();
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, string legend, Color color, bool legendEvenWhenEmpty = false)
    {
        var (x, y) = SeriesPoints.Finite(xs, ys);
        if (x.Length == 0)
        {
            if (legendEvenWhenEmpty)
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = legend, LineColor = color, LineWidth = 1.5f });
            }

            return;
        }

        var line = plot.Add.Scatter(x, y, color);
        line.LegendText = legend;
        line.MarkerSize = 0;
        line.LineWidth = 1.5f;
    }

    /// <summary>
    /// Marks events with dashed vertical lines. Overshooting is reported on most steps of a run whose learning rate
    /// is too high, so it is marked only on the step-size plot, where it belongs, and would crowd the others.
    /// </summary>
    private static void MarkEvents(Plot plot, DemoRun run, bool includeOvershooting = false)
    {
        foreach (var group in run.Events.GroupBy(EventMark.Of).Where(g => g.Key is not null && (includeOvershooting || !EventMark.IsOvershooting(g.Key))))
        {
            var mark = group.Key!;
            bool first = true;
            foreach (long step in group.Select(e => e.Step).Distinct().Take(200))
            {
                var line = plot.Add.VerticalLine(step, 1, mark.Color.WithAlpha(0.45));
                line.LinePattern = LinePattern.Dashed;
                if (first)
                {
                    line.LegendText = mark.Legend;
                    first = false;
                }
            }
        }
    }

    /// <summary>Titles and saves a plot, with its legend outside the data area (right of it), so it never covers data.</summary>
    private static void Finish(Plot plot, string title, string xLabel, string yLabel, string path)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width + LegendWidth, Height);
    }

    /// <summary>Extra image width for the legend beside the plot.</summary>
    public const int LegendWidth = 260;
}
