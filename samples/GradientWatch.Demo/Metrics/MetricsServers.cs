namespace GradientWatch.Demo.Metrics;

/// <summary>Starts the demo's metrics endpoint.</summary>
internal static class MetricsServers
{
    /// <summary>
    /// Starts the Prometheus endpoint on 127.0.0.1:<paramref name="port"/>. Seam for the GradientWatch.OpenTelemetry package:
    /// until it is referenced, nothing is served and <see cref="IMetricsServer.Unavailable"/> says so.
    /// </summary>
    public static IMetricsServer Start(int port) => new UnavailableMetricsServer(port);

    /// <summary>A server that serves nothing (metrics turned off).</summary>
    public static IMetricsServer Off() => new UnavailableMetricsServer(null);
}
