namespace GradientWatch.Demo.Metrics;

/// <summary>The demo's Prometheus endpoint: exports every watcher's metrics while it lives.</summary>
internal interface IMetricsServer : IMetricsAttachment, IDisposable
{
    /// <summary>The scrape URL, or null when metrics are not served.</summary>
    string? Url { get; }

    /// <summary>Why metrics are not served, when they are not.</summary>
    string? Unavailable { get; }
}
