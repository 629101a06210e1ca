namespace GradientWatch.Demo.Metrics;

/// <summary>Adds metrics export to every watcher the demo builds (the seam for the OpenTelemetry package).</summary>
internal interface IMetricsAttachment
{
    /// <summary>Configures <paramref name="builder"/> to export its metrics.</summary>
    void Configure(GradientWatchBuilder builder);
}
