using System.Globalization;
using GradientWatch.OpenTelemetry.Tests.Support;
using GradientWatch.Telemetry;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>The series budget in docs/cardinality.md, counted on a real scrape of the exporter.</summary>
public sealed class CardinalityTests
{
    /// <summary>Series Prometheus adds per scrape target: up, scrape_duration_seconds, scrape_samples_scraped, scrape_samples_post_metric_relabeling, scrape_series_added.</summary>
    private const int PrometheusSeriesPerTarget = 5;

    [Theory]
    [InlineData(64)]
    [InlineData(200)]
    public void Series_per_process_match_the_documented_budget(int layers)
    {
        int perProcess = SeriesOfOneProcess(layers);
        string doc = File.ReadAllText(Repo.Path("docs", "cardinality.md"));
        string row = string.Create(CultureInfo.InvariantCulture, $"| {layers} layers, one remedy | {perProcess} | {perProcess * 1000:N0} |");
        Assert.True(doc.Contains(row, StringComparison.Ordinal), $"docs/cardinality.md should have the measured row: {row}");
    }

    /// <summary>Series one training process costs in the backend: its GradientWatch series, target_info, and Prometheus' own per target.</summary>
    private static int SeriesOfOneProcess(int layers)
    {
        string run = "budget-" + layers.ToString(CultureInfo.InvariantCulture);
        var options = new GradientWatchOptions { FullStatisticsInterval = 1 };
        using var metrics = new GradientWatchMetrics(run, "mlp", Steps.LayerNames(layers), options);
        metrics.DeclareRemedies(["clip_global_norm"]);
        metrics.Record(Steps.Snapshot(1, Enumerable.Repeat(1.0, layers).ToArray(), full: true), [Steps.Remedy("clip_global_norm")]);
        using var export = GradientWatchMetricsExport.Start(new GradientWatchExportOptions { Port = 0 });
        string text = Scrape.Get(export.PrometheusEndpoint!);
        var lines = text.Split('\n');
        Assert.Single(lines, l => l.StartsWith("target_info{", StringComparison.Ordinal));
        int own = lines.Count(l => l.StartsWith("gradientwatch_", StringComparison.Ordinal) && l.Contains($"run_id=\"{run}\"", StringComparison.Ordinal));
        return own + 1 + PrometheusSeriesPerTarget;
    }
}
