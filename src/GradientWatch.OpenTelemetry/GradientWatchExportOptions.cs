using System.Net;
using OpenTelemetry.Exporter;

namespace GradientWatch.OpenTelemetry;

/// <summary>
/// How a training program exports GradientWatch metrics: a Prometheus scraping endpoint (on by default, bound to
/// 127.0.0.1:9464), an OTLP exporter (off by default), or both. Validated when the export starts; an invalid
/// value throws an <see cref="ArgumentException"/> that names the setting.
/// </summary>
public sealed class GradientWatchExportOptions
{
    /// <summary>Default for <see cref="Port"/>: the port OpenTelemetry reserves for Prometheus exporters.</summary>
    public const int DefaultPort = 9464;

    /// <summary>Serve a Prometheus scraping endpoint. Default true.</summary>
    public bool ServePrometheus { get; set; } = true;

    /// <summary>
    /// Address the endpoint listens on: an IP address, or <c>localhost</c>. Default <c>127.0.0.1</c>, so
    /// nothing is exposed beyond this machine unless asked; use <c>0.0.0.0</c> to be scraped from elsewhere.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port of the endpoint. Default 9464; 0 picks a free port (see <see cref="GradientWatchMetricsExport.PrometheusEndpoint"/>).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Path of the scrape endpoint. Default <c>/metrics</c>.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>Also push metrics with the OTLP exporter (to an OpenTelemetry Collector or any OTLP backend). Default false.</summary>
    public bool UseOtlpExporter { get; set; }

    /// <summary>
    /// OTLP endpoint. Default: the <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable, else the OTLP default
    /// (<c>http://localhost:4317</c> for gRPC). With <see cref="OtlpExportProtocol.HttpProtobuf"/> the exporter posts to
    /// this URL as given, so include the signal path: <c>http://collector:4318/v1/metrics</c>.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>OTLP transport. Default gRPC.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>Interval between OTLP exports. Default 10 seconds; at least 100 ms. Keep it below
    /// <see cref="GradientWatchOptions.MetricsPeakWindow"/> so that no spike is missed.</summary>
    public TimeSpan OtlpExportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest time <see cref="GradientWatchMetricsExport.Dispose"/> waits for the endpoint to stop and for the final
    /// OTLP export, so a collector that never answers cannot hold up the end of training. Default 1 second; between 0
    /// and 1 minute.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>service.name</c> of the resource: becomes <c>job</c> when an OTLP backend maps it to Prometheus, and
    /// appears on <c>target_info</c>. Default: <c>OTEL_SERVICE_NAME</c>, else the entry assembly's name.
    /// </summary>
    public string? ServiceName { get; set; }

    /// <summary>
    /// <c>service.instance.id</c> of the resource, so that many training processes can report into one backend
    /// and stay apart. Default: <c>host:pid</c>.
    /// </summary>
    public string? ServiceInstanceId { get; set; }

    /// <summary>
    /// Where warnings go (for example: the port is already in use). Default: a console logger owned by the export.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!ServePrometheus && !UseOtlpExporter)
        {
            throw Invalid(nameof(ServePrometheus), "and UseOtlpExporter are both false: nothing would be exported.");
        }

        if (ServePrometheus)
        {
            if (string.IsNullOrWhiteSpace(Host) || (!IPAddress.TryParse(Host, out _) && !string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)))
            {
                throw Invalid(nameof(Host), $"must be an IP address or 'localhost', was '{Host}'.");
            }

            if (Port is < 0 or > 65535)
            {
                throw Invalid(nameof(Port), $"must be between 0 and 65535 (0 = any free port), was {Port}.");
            }

            if (string.IsNullOrEmpty(Path) || Path[0] != '/' || Path.Any(char.IsWhiteSpace))
            {
                throw Invalid(nameof(Path), $"must start with '/' and hold no white space, was '{Path}'.");
            }

            if (Path.IndexOfAny(['?', '#', '%', '\\']) >= 0 || Path.Any(char.IsControl))
            {
                throw Invalid(nameof(Path), $"must be a plain URL path without '?', '#', '%', '\\' or control characters (a query or fragment is never part of the requested path, so nothing would be served), was '{Path}'.");
            }
        }

        if (UseOtlpExporter)
        {
            if (OtlpEndpoint is { } e && (!e.IsAbsoluteUri || (e.Scheme != Uri.UriSchemeHttp && e.Scheme != Uri.UriSchemeHttps)))
            {
                throw Invalid(nameof(OtlpEndpoint), $"must be an absolute http or https URI, was '{e}'.");
            }

            if (!Enum.IsDefined(OtlpProtocol))
            {
                throw Invalid(nameof(OtlpProtocol), $"unknown protocol {OtlpProtocol}.");
            }

            if (OtlpExportInterval < TimeSpan.FromMilliseconds(100) || OtlpExportInterval > TimeSpan.FromDays(1))
            {
                throw Invalid(nameof(OtlpExportInterval), $"must be between 100 ms and 1 day, was {OtlpExportInterval}.");
            }
        }

        if (ShutdownTimeout < TimeSpan.Zero || ShutdownTimeout > TimeSpan.FromMinutes(1))
        {
            throw Invalid(nameof(ShutdownTimeout), $"must be between 0 and 1 minute, was {ShutdownTimeout}.");
        }

        if (ServiceName is not null && string.IsNullOrWhiteSpace(ServiceName))
        {
            throw Invalid(nameof(ServiceName), "must not be empty or white space when set.");
        }

        if (ServiceInstanceId is not null && string.IsNullOrWhiteSpace(ServiceInstanceId))
        {
            throw Invalid(nameof(ServiceInstanceId), "must not be empty or white space when set.");
        }
    }

    internal GradientWatchExportOptions Clone() => (GradientWatchExportOptions)MemberwiseClone();

    private static ArgumentException Invalid(string setting, string message)
        => new($"GradientWatchExportOptions.{setting} {message}", setting);
}
