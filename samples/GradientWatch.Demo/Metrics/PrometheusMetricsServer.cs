using GradientWatch.OpenTelemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace GradientWatch.Demo.Metrics;

/// <summary>
/// One Prometheus endpoint on 127.0.0.1 for the whole demo process (GradientWatch.OpenTelemetry's
/// <see cref="GradientWatchMetricsExport"/>). The GradientWatch meter is process-wide, so every watcher the demo
/// builds reports through it without further configuration; each run is told apart by its <c>run_id</c> label.
/// </summary>
internal sealed class PrometheusMetricsServer : IMetricsServer
{
    private readonly GradientWatchMetricsExport export;
    private readonly TimeSpan retainSeries;

    public PrometheusMetricsServer(int port, TimeSpan retainSeries)
    {
        this.retainSeries = retainSeries;
        export = GradientWatchMetricsExport.Start(new GradientWatchExportOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ServiceName = "gradientwatch-demo",
            LoggerFactory = NullLoggerFactory.Instance,
        });
        Url = export.PrometheusEndpoint?.ToString();
        Unavailable = Url is null ? $"the endpoint could not listen on 127.0.0.1:{port}" : null;
    }

    public string? Url { get; }

    public string? Unavailable { get; }

    /// <summary>
    /// Exports the gradient histograms (for the Layers dashboard's distribution heatmap) and keeps each run's series after
    /// its watcher is disposed, for as long as the demo lingers.
    /// </summary>
    public void Configure(GradientWatchBuilder builder)
    {
        builder.Configure(o => o.ExportGradientHistograms = true);
        if (retainSeries != TimeSpan.Zero)
        {
            builder.Configure(o => o.MetricsRetentionAfterDispose = retainSeries);
        }
    }

    public void Dispose() => export.Dispose();
}
