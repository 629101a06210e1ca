namespace GradientWatch.Demo.Metrics;

/// <summary>Serves nothing: metrics are off.</summary>
internal sealed class UnavailableMetricsServer : IMetricsServer
{
    public string? Url => null;

    public string? Unavailable => "metrics are off (--no-metrics)";

    public void Configure(GradientWatchBuilder builder)
    {
    }

    public void Dispose()
    {
    }
}
