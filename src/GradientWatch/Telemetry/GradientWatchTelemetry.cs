namespace GradientWatch;

/// <summary>
/// The names GradientWatch reports under, so any collector can subscribe without GradientWatch.OpenTelemetry
/// (for example <c>meterProviderBuilder.AddMeter(GradientWatchTelemetry.MeterName)</c> or
/// <c>dotnet-counters monitor --counters GradientWatch</c>).
/// </summary>
public static class GradientWatchTelemetry
{
    /// <summary>Name of the <see cref="System.Diagnostics.Metrics.Meter"/> every watcher reports through: <c>GradientWatch</c>.</summary>
    public const string MeterName = "GradientWatch";

    /// <summary>
    /// Name of the opt-in per-layer |g| histogram (<see cref="GradientWatchOptions.ExportGradientHistograms"/>):
    /// <c>gradientwatch.layer.gradient.magnitude</c>, in Prometheus <c>gradientwatch_layer_gradient_magnitude_bucket</c>.
    /// </summary>
    public const string GradientMagnitudeHistogramName = "gradientwatch.layer.gradient.magnitude";

    /// <summary>
    /// The fixed power-of-two bucket boundaries of <see cref="GradientMagnitudeHistogramName"/>: 2^-48, 2^-46, …, 2^8
    /// (29 boundaries, so 30 buckets). <c>AddGradientWatchInstrumentation()</c> applies them; with a meter provider of your
    /// own, add them as an explicit-bucket view.
    /// </summary>
    public static double[] GradientMagnitudeBucketBoundaries()
    {
        const int lowest = -48, highest = 8, step = 2;
        var b = new double[((highest - lowest) / step) + 1];
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = Math.ScaleB(1.0, lowest + (i * step));
        }

        return b;
    }
}
