namespace GradientWatch.Demo.Metrics;

/// <summary>Serves nothing: metrics are off, or this build has no exporter.</summary>
internal sealed class UnavailableMetricsServer : IMetricsServer
{
    public UnavailableMetricsServer(int? port)
    {
        Unavailable = port is null ? "metrics are off (--no-metrics)" : "this build does not include the OpenTelemetry exporter yet";
    }

    public string? Url => null;

    public string? Unavailable { get; }

    public void Configure(GradientWatchBuilder builder)
    {
    }

    public void Dispose()
    {
    }
}
