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
}
