namespace GradientWatch;

/// <summary>
/// Options for what GradientWatch measures and how often. Validated when the watcher is built;
/// an invalid value throws an <see cref="ArgumentException"/> that names the setting.
/// </summary>
public sealed class GradientWatchOptions
{
    /// <summary>Default for <see cref="FullStatisticsInterval"/>.</summary>
    public const int DefaultFullStatisticsInterval = 10;

    /// <summary>How parameters are grouped into layers. Default: <see cref="LayerGrouping.OwningModule"/>.</summary>
    public LayerGrouping Grouping { get; set; } = LayerGrouping.OwningModule;

    /// <summary>Number of module-path segments kept with <see cref="LayerGrouping.ModulePathDepth"/>. Default 1. Must be at least 1.</summary>
    public int GroupingDepth { get; set; } = 1;

    /// <summary>
    /// Full per-layer statistics (mean, standard deviation, zero fraction, weight norm, update ratio) are
    /// measured every this many steps, and on every step whose gradients hold a NaN or Inf. The global norm,
    /// per-layer norms, max |g| and the non-finite check run on every step regardless. Default 10; 1 measures
    /// everything on every step.
    /// </summary>
    public int FullStatisticsInterval { get; set; } = DefaultFullStatisticsInterval;

    /// <summary>
    /// Measure ‖Δw‖/‖w‖ across the optimizer step on full-statistics steps. This snapshots the trainable
    /// weights on those steps only (one copy, kept in a reused buffer). Default true.
    /// </summary>
    public bool MeasureUpdateRatio { get; set; } = true;

    /// <summary>
    /// For tensors above 65,536 elements, estimate ‖Δw‖ from a fixed sample of one 64-element block in eight (the
    /// same elements before and after the step), so the weight copy and the difference touch an eighth of the memory.
    /// Smaller tensors are always measured exactly. Default true; false measures every element.
    /// </summary>
    public bool SampleUpdateRatio { get; set; } = true;

    /// <summary>Name of the model, reported with every snapshot and metric. Default: the module's type name.</summary>
    public string? ModelName { get; set; }

    /// <summary>Identifier of the training run, reported with every event and metric. Default: a new short id per watcher.</summary>
    public string? RunId { get; set; }

    /// <summary>
    /// Largest number of threads the statistics pass may use. Default: <see cref="Environment.ProcessorCount"/>.
    /// Small models are always measured on the calling thread.
    /// </summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Number of recent events kept in memory (<see cref="GradientWatcher.History"/>). Default 1000.</summary>
    public int EventHistoryCapacity { get; set; } = 1000;

    /// <summary>
    /// Path of an append-only JSON Lines event file; null (the default) writes none. Each event is flushed
    /// as it is written, so a killed process loses nothing already emitted.
    /// </summary>
    public string? EventFilePath { get; set; }

    /// <summary>
    /// A transient issue (non-finite, Warning-level exploding outliers) carries advice once it has occurred this many
    /// times within the last <see cref="AdviceWindowSteps"/> steps. Persistent issues and Error-severity exploding issues
    /// (divergence) always carry advice. Default 3.
    /// </summary>
    public int AdviceAfterOccurrences { get; set; } = 3;

    /// <summary>Window for <see cref="AdviceAfterOccurrences"/>. Default 100 steps.</summary>
    public int AdviceWindowSteps { get; set; } = 100;

    /// <summary>
    /// Measure Cockpit's step-size quantity α on every step (<see cref="StepSnapshot.StepSizeAlpha"/>), which feeds
    /// overshooting detection. Costs one copy of the weights, one difference and two dot products per step, so it
    /// is off by default; <see cref="GradientWatchBuilder.DetectOvershooting"/> turns it on.
    /// </summary>
    public bool MeasureStepSize { get; set; }

    /// <summary>
    /// On full-statistics steps, count each layer's gradient elements per binary exponent of |g|
    /// (<see cref="LayerStatistics.Histogram"/>) and the share that float16 and bfloat16 could not hold as normal numbers
    /// (<see cref="LayerStatistics.Float16UnderflowFraction"/>, <see cref="LayerStatistics.BFloat16UnderflowFraction"/>),
    /// in the same pass as the other statistics. Default true; false skips the counting.
    /// </summary>
    public bool MeasureGradientHistograms { get; set; } = true;

    /// <summary>
    /// Export the per-layer histograms as the OpenTelemetry histogram <c>gradientwatch.layer.gradient.magnitude</c>, with fixed
    /// power-of-two bucket boundaries, for at most <see cref="MaxHistogramLayers"/> layers. Each histogram series costs one time
    /// series per bucket (see docs/metrics.md), so it is off by default. Needs <see cref="MeasureGradientHistograms"/>.
    /// </summary>
    public bool ExportGradientHistograms { get; set; }

    /// <summary>Default for <see cref="MaxHistogramLayers"/>.</summary>
    public const int DefaultMaxHistogramLayers = 8;

    /// <summary>
    /// Largest number of layers whose histogram is exported with <see cref="ExportGradientHistograms"/>: the first, the last
    /// and layers evenly spaced between them. Separate from <see cref="MaxExportedLayers"/>. Default 8; between 1 and 100.
    /// </summary>
    public int MaxHistogramLayers { get; set; } = DefaultMaxHistogramLayers;

    /// <summary>Creates a copy of these options.</summary>
    public GradientWatchOptions Clone() => (GradientWatchOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Grouping))
        {
            throw Invalid(nameof(Grouping), $"unknown grouping {Grouping}.");
        }

        if (GroupingDepth < 1)
        {
            throw Invalid(nameof(GroupingDepth), $"must be at least 1, was {GroupingDepth}.");
        }

        if (FullStatisticsInterval < 1)
        {
            throw Invalid(nameof(FullStatisticsInterval), $"must be at least 1 (1 = every step), was {FullStatisticsInterval}.");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            throw Invalid(nameof(MaxDegreeOfParallelism), $"must be at least 1, was {MaxDegreeOfParallelism}.");
        }

        if (EventHistoryCapacity < 1)
        {
            throw Invalid(nameof(EventHistoryCapacity), $"must be at least 1, was {EventHistoryCapacity}.");
        }

        if (EventFilePath is not null && string.IsNullOrWhiteSpace(EventFilePath))
        {
            throw Invalid(nameof(EventFilePath), "must not be empty when set.");
        }

        if (EventFilePath is not null && EventFilePath.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(nameof(EventFilePath), "must not contain a NUL character.");
        }

        if (EventFilePath is not null && (EventFilePath.EndsWith('/') || EventFilePath.EndsWith(System.IO.Path.DirectorySeparatorChar)))
        {
            throw Invalid(nameof(EventFilePath), $"must name a file, not a directory, was '{EventFilePath}'.");
        }

        if (ModelName is not null && string.IsNullOrWhiteSpace(ModelName))
        {
            throw Invalid(nameof(ModelName), "must not be empty or white space when set (null uses the module's type name).");
        }

        if (AdviceAfterOccurrences < 1)
        {
            throw Invalid(nameof(AdviceAfterOccurrences), $"must be at least 1, was {AdviceAfterOccurrences}.");
        }

        if (AdviceWindowSteps < 1)
        {
            throw Invalid(nameof(AdviceWindowSteps), $"must be at least 1, was {AdviceWindowSteps}.");
        }

        if (RunId is not null && string.IsNullOrWhiteSpace(RunId))
        {
            throw Invalid(nameof(RunId), "must not be empty or white space when set.");
        }

        if (MaxExportedLayers is < 1 or > 1000)
        {
            throw Invalid(nameof(MaxExportedLayers), $"must be between 1 and 1000, was {MaxExportedLayers}.");
        }

        if (MetricsRetentionAfterDispose < TimeSpan.Zero && MetricsRetentionAfterDispose != Timeout.InfiniteTimeSpan)
        {
            throw Invalid(nameof(MetricsRetentionAfterDispose), $"must be zero or more, or Timeout.InfiniteTimeSpan, was {MetricsRetentionAfterDispose}.");
        }

        if (MaxHistogramLayers is < 1 or > 100)
        {
            throw Invalid(nameof(MaxHistogramLayers), $"must be between 1 and 100, was {MaxHistogramLayers}.");
        }

        if (ExportGradientHistograms && !MeasureGradientHistograms)
        {
            throw Invalid(nameof(ExportGradientHistograms), $"needs {nameof(MeasureGradientHistograms)} = true (there is nothing to export without the histograms).");
        }

        if (MetricsPeakWindow < TimeSpan.FromSeconds(1) || MetricsPeakWindow > TimeSpan.FromHours(1))
        {
            throw Invalid(nameof(MetricsPeakWindow), $"must be between 1 second and 1 hour, was {MetricsPeakWindow}.");
        }
    }

    internal static ArgumentException Invalid(string setting, string message)
        => new($"GradientWatchOptions.{setting} {message}", setting);

    /// <summary>Default for <see cref="MaxExportedLayers"/>.</summary>
    public const int DefaultMaxExportedLayers = 64;

    /// <summary>
    /// Largest number of layers that get metric series of their own. With more layers, layers evenly spaced
    /// across the model's depth (always the first and the last) are exported, and all others are folded into
    /// one series labelled <c>layer="_other"</c> (norms combined as the root of the sum of squares, maxima as
    /// the maximum). Default 64; between 1 and 1000.
    /// </summary>
    public int MaxExportedLayers { get; set; } = DefaultMaxExportedLayers;

    /// <summary>
    /// Trailing window of the peak series (<c>gradientwatch.layer.gradient.norm.peak</c>,
    /// <c>gradientwatch.gradient.norm.peak</c>, <c>gradientwatch.layer.gradient.max_abs</c>): each reports the
    /// largest value of any step in the last window, so a spike between two scrapes is never lost as long as
    /// scrapes (or OTLP exports) come at least this often. Default 60 seconds; between 1 second and 1 hour.
    /// </summary>
    public TimeSpan MetricsPeakWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a watcher's metric series stay, with their last values, after the watcher is disposed: for programs
    /// that keep their metrics endpoint up after training so Prometheus can still scrape the finished runs.
    /// Default zero (the series disappear on dispose); <see cref="Timeout.InfiniteTimeSpan"/>, or any period longer
    /// than a timer can wait (about 49.7 days, <see cref="TimeSpan.MaxValue"/> included), keeps them until the process exits.
    /// </summary>
    public TimeSpan MetricsRetentionAfterDispose { get; set; } = TimeSpan.Zero;
}
