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

    /// <summary>True when the run measured gradient histograms on some step.</summary>
    public static bool HasHistograms(DemoRun run) => run.Snapshots.Any(s => s.Layers.Any(l => l.Histogram is not null));

    /// <summary>The layers whose distribution the report shows: the first, the middle and the last.</summary>
    public static IReadOnlyList<int> DistributionLayers(DemoRun run)
        => new[] { 0, (run.LayerNames.Count - 1) / 2, run.LayerNames.Count - 1 }.Distinct().ToArray();

    /// <summary>
    /// The distribution of one layer's |g| over time: one column per full-statistics step, one row per binary exponent
    /// (the bottom row holds exact zeros), coloured by the share of the layer's elements in that row.
    /// </summary>
    public void Distribution(DemoRun run, int layer, string path)
    {
        var measured = run.Snapshots.Where(s => s.Layers[layer].Histogram is { TotalCount: > 0 }).ToList();
        var histograms = measured.Select(s => s.Layers[layer].Histogram!).ToList();
        var occupied = histograms.Where(h => h.ExponentCounts.Count > 0).ToList();
        int low = occupied.Count == 0 ? -20 : Math.Max(occupied.Min(h => h.LowestExponent), GradientHistogram.MinExponent);
        int high = occupied.Count == 0 ? 0 : occupied.Max(h => h.HighestExponent);
        low = Math.Min(low, GradientHistogram.Float16MinNormalExponent - 2);
        high = Math.Max(high, GradientHistogram.Float16MinNormalExponent + 1);
        int rows = high - low + 2; // one per exponent, plus the zero row at the bottom
        var data = new double[rows, Math.Max(1, histograms.Count)];
        for (int c = 0; c < histograms.Count; c++)
        {
            var h = histograms[c];
            double n = h.TotalCount;
            for (int e = low; e <= high; e++)
            {
                data[high - e, c] = h.CountInExponent(e) / n;
            }

            data[rows - 1, c] = h.ZeroCount / n;
        }

        var plot = new Plot();
        var map = plot.Add.Heatmap(data);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.ManualRange = new ScottPlot.Range(0, 1);
        double first = measured.Count > 0 ? measured[0].Step : 0;
        double last = measured.Count > 1 ? measured[^1].Step : first + 1;
        map.Position = new CoordinateRect(first, last, low - 1, high);
        var bar = plot.Add.ColorBar(map);
        bar.Label = "share of the layer's elements";
        var fp16 = plot.Add.HorizontalLine(GradientHistogram.Float16MinNormalExponent - 0.5, 2f, Colors.OrangeRed);
        fp16.LinePattern = LinePattern.Dashed;
        fp16.LegendText = "float16's smallest normal, 2^-14 (below: subnormal or zero in float16)";
        var ticks = new List<(double, string)> { (low - 1, "0") };
        int step = Math.Max(1, (int)Math.Ceiling((high - low + 1) / 10.0));
        for (int e = high; e >= low; e -= step)
        {
            ticks.Add((e, $"2^{e}"));
        }

        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Item1).ToArray(), ticks.Select(t => t.Item2).ToArray());
        string name = run.LayerNames[layer];
        Finish(plot, $"{run.Spec.Label}: |g| distribution of {name} (layer {layer + 1} of {run.LayerNames.Count})", "step", "|g| (binary exponent; bottom row: exact zeros)", path);
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
