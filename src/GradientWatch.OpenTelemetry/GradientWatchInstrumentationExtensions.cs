using GradientWatch;

namespace OpenTelemetry.Metrics;

/// <summary>Extension methods to collect GradientWatch metrics with the OpenTelemetry SDK.</summary>
public static class GradientWatchInstrumentationExtensions
{
    /// <summary>
    /// Enables the GradientWatch meter: per-layer and global gradient statistics, loss, learning rate, steps,
    /// and counters of detected issues and remedies, from every live <c>GradientWatcher</c> in the process. The opt-in
    /// histogram <c>gradientwatch.layer.gradient.magnitude</c> gets its fixed power-of-two bucket boundaries (2^-48, 2^-46, …, 2^8) here.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <example>
    /// <code>
    /// using var meterProvider = Sdk.CreateMeterProviderBuilder()
    ///     .AddGradientWatchInstrumentation()
    ///     .AddOtlpExporter()
    ///     .Build();
    /// </code>
    /// </example>
    public static MeterProviderBuilder AddGradientWatchInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddMeter(GradientWatchTelemetry.MeterName)
            .AddView(GradientWatchTelemetry.GradientMagnitudeHistogramName, new ExplicitBucketHistogramConfiguration
            {
                Boundaries = GradientWatchTelemetry.GradientMagnitudeBucketBoundaries(),
                RecordMinMax = false,
            });
    }
}
