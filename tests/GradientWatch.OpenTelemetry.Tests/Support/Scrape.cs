using System.Text.RegularExpressions;
using GradientWatch.Telemetry;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>Scrapes a real GradientWatch Prometheus endpoint (Kestrel, OpenTelemetry exporter) fed by a recorded watcher.</summary>
internal static partial class Scrape
{
    private static readonly Lazy<string> Text = new(Once);

    /// <summary>The exposition text of one scrape (Prometheus text format), with one run that saw issues and remedies.</summary>
    public static string MetricsText => Text.Value;

    /// <summary>The metric family names the exporter really emits for GradientWatch, sample suffixes included.</summary>
    public static IReadOnlySet<string> SeriesNames => MetricsText.Split('\n')
        .Where(l => l.StartsWith("gradientwatch_", StringComparison.Ordinal))
        .Select(l => SeriesName().Match(l).Value)
        .ToHashSet();

    public static string Get(Uri uri, string? accept = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = http.Send(request);
        response.EnsureSuccessStatusCode();
        return response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    private static string Once()
    {
        // The endpoint starts first, as ExportMetrics() does: the histogram is a synchronous instrument, so only steps
        // recorded while a meter provider listens reach it.
        using var export = GradientWatchMetricsExport.Start(new GradientWatchExportOptions { Port = 0 });
        var options = new GradientWatchOptions { FullStatisticsInterval = 1, ExportGradientHistograms = true };
        using var metrics = new GradientWatchMetrics("scrape-run", "mlp", Steps.LayerNames(3), options);
        metrics.DeclareRemedies(["clip_global_norm"]);
        metrics.Record(Steps.Snapshot(1, [1, 2, 3], full: true, nanCounts: [0, 1, 0]) with { StepSizeAlpha = 0.25 }, [Steps.Issue(GradientIssueKind.Exploding), Steps.Remedy("clip_global_norm")]);
        Assert.NotNull(export.PrometheusEndpoint);
        return Get(export.PrometheusEndpoint!);
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();
}
