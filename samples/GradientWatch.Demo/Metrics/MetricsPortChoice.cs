namespace GradientWatch.Demo.Metrics;

/// <summary>The port the metrics endpoint will use, and a warning when it is not the one asked for.</summary>
internal sealed record MetricsPortChoice(int Port, string? Warning)
{
    /// <summary>Default port: the one OpenTelemetry reserves for Prometheus exporters.</summary>
    public const int DefaultPort = 9464;

    /// <summary>
    /// Chooses the port. A port the user asked for explicitly must be free (else a <see cref="DemoException"/>); when the
    /// default is taken, any free port is used instead, with a warning. 0 means any free port.
    /// </summary>
    public static MetricsPortChoice Choose(int requested, bool explicitlyRequested)
    {
        if (requested == 0)
        {
            return new MetricsPortChoice(PortProbe.AnyFree(), null);
        }

        if (PortProbe.IsFree(requested))
        {
            return new MetricsPortChoice(requested, null);
        }

        if (explicitlyRequested)
        {
            throw new DemoException($"Port {requested} on 127.0.0.1 is already in use, so the metrics endpoint cannot start. Choose another with --metrics-port <PORT> (0 picks any free port), or turn metrics off with --no-metrics.");
        }

        int fallback = PortProbe.AnyFree();
        return new MetricsPortChoice(fallback, $"The default metrics port {requested} is in use; serving metrics on port {fallback} instead (set one with --metrics-port).");
    }
}
