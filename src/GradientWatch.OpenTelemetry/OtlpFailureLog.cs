using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace GradientWatch.OpenTelemetry;

/// <summary>
/// The OTLP exporter reports failed exports (collector unreachable, timeouts, rejected batches) only through its
/// EventSource, where nobody looks. This listener turns them into warnings on the export's logger: the first one at
/// once, then at most one a minute, carrying how many failures it summarizes.
/// </summary>
internal sealed class OtlpFailureLog : EventListener
{
    /// <summary>Name of the OTLP exporter's EventSource.</summary>
    internal const string SourceName = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    private static readonly long Interval = TimeSpan.FromMinutes(1).Ticks;
    private readonly object gate = new();
    private readonly ILogger logger;
    private readonly string endpoint;
    private long lastLogged = long.MinValue;
    private int suppressed;

    public OtlpFailureLog(ILogger logger, string endpoint)
    {
        this.logger = logger;
        this.endpoint = endpoint;
        Ready = true;
        foreach (var source in EventSource.GetSources())
        {
            OnEventSourceCreated(source);
        }
    }

    /// <summary>Failures seen so far (for tests).</summary>
    internal int Failures { get; private set; }

    /// <summary>Set once the fields are assigned: the base constructor already reports existing sources.</summary>
    private bool Ready { get; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (Ready && eventSource.Name == SourceName)
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name != SourceName || eventData.Level > EventLevel.Warning)
        {
            return;
        }

        string detail = Describe(eventData);
        int summarized;
        lock (gate)
        {
            Failures++;
            long now = DateTime.UtcNow.Ticks;
            if (lastLogged != long.MinValue && now - lastLogged < Interval)
            {
                suppressed++;
                return;
            }

            lastLogged = now;
            summarized = suppressed;
            suppressed = 0;
        }

        try
        {
            logger.LogWarning(
                "GradientWatch: exporting metrics over OTLP to {Endpoint} failed: {Detail}{More} Training continues; Prometheus scraping is unaffected.",
                endpoint,
                detail,
                summarized > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({summarized} more failure(s) since the last warning.)") : string.Empty);
        }
        catch (Exception)
        {
            // A failing logger never stops training.
        }
    }

    private static string Describe(EventWrittenEventArgs e)
    {
        try
        {
            if (e.Message is { Length: > 0 } format && e.Payload is { } payload)
            {
                return string.Format(CultureInfo.InvariantCulture, format, payload.ToArray());
            }
        }
        catch (FormatException)
        {
            // Fall through to the raw payload.
        }

        return $"{e.EventName}: {string.Join(", ", e.Payload ?? (IEnumerable<object?>)Array.Empty<object?>())}";
    }
}
