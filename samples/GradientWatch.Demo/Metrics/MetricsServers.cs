namespace GradientWatch.Demo.Metrics;

/// <summary>Starts the demo's metrics endpoint.</summary>
internal static class MetricsServers
{
    /// <summary>
    /// Starts the Prometheus endpoint on 127.0.0.1:<paramref name="port"/>. Runs' series are kept after training for
    /// <paramref name="retainSeries"/> (zero: dropped when the run ends; infinite: until the process exits).
    /// </summary>
    public static IMetricsServer Start(int port, TimeSpan retainSeries) => new PrometheusMetricsServer(port, retainSeries);

    /// <summary>A server that serves nothing (metrics turned off).</summary>
    public static IMetricsServer Off() => new UnavailableMetricsServer();
}
