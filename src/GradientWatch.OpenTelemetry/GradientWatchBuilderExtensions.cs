using GradientWatch.OpenTelemetry;

namespace GradientWatch;

/// <summary>Adds metrics export to a <see cref="GradientWatchBuilder"/>.</summary>
public static class GradientWatchBuilderExtensions
{
    /// <summary>
    /// Exports the watcher's metrics while it lives: a Prometheus scraping endpoint on 127.0.0.1:9464 by default,
    /// and optionally OTLP. The export starts when the watcher is built and stops when it is disposed. Watchers
    /// in one process asking for the same endpoint share it. A port in use is logged and training goes on.
    /// </summary>
    /// <param name="builder">The watch builder.</param>
    /// <param name="configure">Changes the export options. Validated before this method returns.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <example>
    /// <code>
    /// using var watch = model.WatchGradients(optimizer, w =&gt; w
    ///     .Configure(o =&gt; o.RunId = "exp-42")
    ///     .ExportMetrics(e =&gt; e.Port = 9464));
    /// </code>
    /// </example>
    public static GradientWatchBuilder ExportMetrics(this GradientWatchBuilder builder, Action<GradientWatchExportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new GradientWatchExportOptions();
        configure?.Invoke(options);
        options.Validate();
        var frozen = options.Clone();
        builder.Attach(watcher => GradientWatchMetricsExport.Acquire(frozen, watcher.Logger));
        return builder;
    }
}
