using System.Diagnostics.Metrics;
using System.Globalization;

namespace GradientWatch.Telemetry;

/// <summary>
/// Feeds the GradientWatch <see cref="Meter"/> from one watcher. The watcher calls <see cref="Record"/> once per
/// step, after remedies ran, with the step's snapshot and events; the meter's observable instruments read the
/// latest state of every live watcher when a reader collects. Disposing unregisters the watcher, so its series
/// disappear.
/// </summary>
/// <remarks>
/// Nothing between collections is lost: counters (steps, skipped steps, issues, remedies, non-finite elements)
/// accumulate every step, the peak series report the largest value of any step in the trailing
/// <see cref="GradientWatchOptions.MetricsPeakWindow"/>, and the <c>recent</c> series count the issues, remedies and
/// skipped steps of that window, so even events before a run's first scrape reach Prometheus.
/// </remarks>
internal sealed class GradientWatchMetrics : IDisposable
{
    /// <summary>Name of the meter every watcher reports through.</summary>
    public const string MeterName = GradientWatchMetricNames.MeterName;

    private const int MaxRemedyNames = 32;

    private static readonly GradientIssueKind[] Kinds = Enum.GetValues<GradientIssueKind>();

    private readonly object gate = new();
    private readonly TimeProvider time;
    private readonly long bucketTicks;
    private readonly ExportedLayers exported;
    private readonly KeyValuePair<string, object?>[] runTags;
    private readonly KeyValuePair<string, object?>[][] layerTags;
    private readonly Dictionary<(GradientIssueKind Kind, GradientEventSeverity Severity), EventCount> issues = new();
    private readonly Dictionary<string, EventCount> remedies = new(StringComparer.Ordinal);
    private readonly WindowedCount recentSkipped = new();

    // Per exported layer slot.
    private readonly Slot[] scratch;
    private readonly double[] norm;
    private readonly WindowedMax[] normPeak;
    private readonly WindowedMax[] maxAbsPeak;
    private readonly double[] lastMaxAbs;
    private readonly double[] zero;
    private readonly double[] weightNorm;
    private readonly double[] update;
    private readonly double[] underflow16;
    private readonly double[] underflowBf16;
    private readonly KeyValuePair<string, object?>[]?[] histogramTags;
    private readonly long[] nonFinite;
    private readonly bool[] seen;

    // Whole model.
    private readonly WindowedMax globalPeak = new();
    private double globalNorm = double.NaN;
    private double loss = double.NaN;
    private double learningRate = double.NaN;
    private double stepSizeAlpha = double.NaN;
    private long steps;
    private long skipped;
    private bool lossSeen;
    /// <summary>The longest delay a timer accepts (2^32 − 2 ms, about 49.7 days); longer retentions keep the series until exit.</summary>
    internal static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly TimeSpan retention;
    private ITimer? retentionTimer;
    private int disposed;

    public GradientWatchMetrics(string runId, string model, IReadOnlyList<string> layerNames, GradientWatchOptions options)
        : this(runId, model, layerNames, options, TimeProvider.System)
    {
    }

    internal GradientWatchMetrics(string runId, string model, IReadOnlyList<string> layerNames, GradientWatchOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(layerNames);
        ArgumentNullException.ThrowIfNull(options);
        this.time = time;
        retention = options.MetricsRetentionAfterDispose;
        long windowTicks = (long)(options.MetricsPeakWindow.TotalSeconds * time.TimestampFrequency);
        bucketTicks = Math.Max(1, windowTicks / WindowedMax.BucketCount);
        RunId = MetricLabels.Sanitize(runId);
        Model = MetricLabels.Sanitize(model);
        exported = ExportedLayers.Create(layerNames, options.MaxExportedLayers);
        runTags = [new(GradientWatchMetricNames.RunId, RunId), new(GradientWatchMetricNames.Model, Model)];

        int slots = exported.SlotCount;
        layerTags = new KeyValuePair<string, object?>[slots][];
        for (int s = 0; s < slots; s++)
        {
            int depth = exported.Depth[s];
            layerTags[s] = depth < 0
                ? [runTags[0], runTags[1], new(GradientWatchMetricNames.Layer, exported.Names[s])]
                : [runTags[0], runTags[1], new(GradientWatchMetricNames.Layer, exported.Names[s]), new(GradientWatchMetricNames.LayerIndex, depth.ToString(CultureInfo.InvariantCulture))];
        }

        // One series per kind, with the severity its detector raises: no series that can only ever be 0.
        foreach (var kind in Kinds)
        {
            IssueCount(kind, IssueSeverities.Of(kind));
        }

        scratch = new Slot[slots];
        norm = Filled(slots, double.NaN);
        lastMaxAbs = Filled(slots, double.NaN);
        zero = Filled(slots, double.NaN);
        weightNorm = Filled(slots, double.NaN);
        update = Filled(slots, double.NaN);
        underflow16 = Filled(slots, double.NaN);
        underflowBf16 = Filled(slots, double.NaN);
        histogramTags = options.ExportGradientHistograms ? HistogramTags(layerNames, options.MaxHistogramLayers) : [];
        nonFinite = new long[slots];
        seen = new bool[slots];
        normPeak = new WindowedMax[slots];
        maxAbsPeak = new WindowedMax[slots];
        for (int s = 0; s < slots; s++)
        {
            normPeak[s] = new WindowedMax();
            maxAbsPeak[s] = new WindowedMax();
        }

        GradientWatchMeter.Register(this);
    }

    /// <summary>Sanitized run id, as exported.</summary>
    public string RunId { get; }

    /// <summary>Sanitized model name, as exported.</summary>
    public string Model { get; }

    /// <summary>The exported layer series.</summary>
    internal ExportedLayers Exported => exported;

    /// <summary>Declares remedy names up front, so their counters start at 0 and the first firing is counted by rate().</summary>
    public void DeclareRemedies(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        lock (gate)
        {
            foreach (string name in names)
            {
                RemedyKey(name);
            }
        }
    }

    /// <summary>Records one step. Never throws.</summary>
    public void Record(StepSnapshot snapshot, IReadOnlyList<GradientEvent> events)
    {
        try
        {
            RecordCore(snapshot, events);
        }
        catch (Exception)
        {
            // Diagnostics never stop training.
        }
    }

    private void RecordCore(StepSnapshot snapshot, IReadOnlyList<GradientEvent> events)
    {
        lock (gate)
        {
            long bucket = CurrentBucket();
            steps++;
            if (snapshot.StepSkipped)
            {
                skipped++;
                recentSkipped.Add(bucket);
            }

            globalNorm = snapshot.GlobalGradientNorm;
            globalPeak.Add(globalNorm, bucket);
            if (snapshot.Loss is { } l)
            {
                loss = l;
                lossSeen = true;
            }

            if (snapshot.LearningRates is { Count: > 0 } lrs)
            {
                learningRate = lrs[0];
            }

            if (!double.IsNaN(snapshot.StepSizeAlpha))
            {
                stepSizeAlpha = snapshot.StepSizeAlpha;
            }

            RecordLayers(snapshot.Layers, bucket);
            RecordHistograms(snapshot.Layers);
            if (events is null)
            {
                return;
            }

            foreach (var e in events)
            {
                if (e is null)
                {
                    continue;
                }

                if (e.Type == GradientEventType.Issue && e.Kind is { } kind)
                {
                    IssueCount(kind, e.Severity).Add(bucket);
                }
                else if (e.Type == GradientEventType.Remedy && e.Remedy is { } remedy)
                {
                    remedies[RemedyKey(remedy)].Add(bucket);
                }
            }
        }
    }

    private void RecordLayers(IReadOnlyList<LayerStatistics> layers, long bucket)
    {
        Array.Clear(scratch);
        foreach (var layer in layers)
        {
            int s = exported.SlotOf(layer.Index);
            if (s < 0 || layer.IsFrozen)
            {
                continue;
            }

            ref Slot a = ref scratch[s];
            double n = layer.GradientNorm;
            a.Norm = a.Count == 0 ? n : Math.Sqrt((a.Norm * a.Norm) + (n * n));
            a.MaxAbs = a.Count == 0 || layer.MaxAbs > a.MaxAbs || double.IsNaN(a.MaxAbs) ? layer.MaxAbs : a.MaxAbs;
            a.Count++;
            nonFinite[s] += layer.NanCount + layer.InfCount;
            if (layer.HasFullStatistics)
            {
                a.Full = true;
                a.Elements += layer.ElementCount;
                a.Zeros += layer.ZeroFraction * layer.ElementCount;
                if (!double.IsNaN(layer.Float16UnderflowFraction))
                {
                    a.HasUnderflow = true;
                    a.Underflow16 += layer.Float16UnderflowFraction * layer.ElementCount;
                    a.UnderflowBf16 += layer.BFloat16UnderflowFraction * layer.ElementCount;
                }

                double w = layer.WeightNorm;
                a.WeightSq += w * w;
                if (!double.IsNaN(layer.UpdateToWeightRatio))
                {
                    double dw = layer.UpdateToWeightRatio * w;
                    a.UpdateSq += dw * dw;
                    a.UpdateWeightSq += w * w;
                    a.HasUpdate = true;
                }
            }
        }

        for (int s = 0; s < scratch.Length; s++)
        {
            ref Slot a = ref scratch[s];
            if (a.Count == 0)
            {
                continue;
            }

            seen[s] = true;
            norm[s] = a.Norm;
            normPeak[s].Add(a.Norm, bucket);
            lastMaxAbs[s] = a.MaxAbs;
            maxAbsPeak[s].Add(a.MaxAbs, bucket);
            if (a.Full)
            {
                zero[s] = a.Elements > 0 ? a.Zeros / a.Elements : double.NaN;
                weightNorm[s] = Math.Sqrt(a.WeightSq);
                if (a.HasUnderflow && a.Elements > 0)
                {
                    underflow16[s] = a.Underflow16 / a.Elements;
                    underflowBf16[s] = a.UnderflowBf16 / a.Elements;
                }
            }

            if (a.HasUpdate)
            {
                update[s] = Math.Sqrt(a.UpdateSq) / Math.Sqrt(a.UpdateWeightSq);
            }
        }
    }

    // Observation, called by the meter's callbacks on the collecting thread.
    internal void ObserveLayers(LayerValue which, List<Measurement<double>> into)
    {
        lock (gate)
        {
            long bucket = which is LayerValue.NormPeak or LayerValue.MaxAbs ? CurrentBucket() : 0;
            for (int s = 0; s < layerTags.Length; s++)
            {
                double v = which switch
                {
                    LayerValue.Norm => norm[s],
                    LayerValue.NormPeak => PeakOr(normPeak[s], bucket, norm[s]),
                    LayerValue.MaxAbs => PeakOr(maxAbsPeak[s], bucket, lastMaxAbs[s]),
                    LayerValue.ZeroFraction => zero[s],
                    LayerValue.WeightNorm => weightNorm[s],
                    LayerValue.UpdateRatio => update[s],
                    LayerValue.Float16Underflow => underflow16[s],
                    LayerValue.BFloat16Underflow => underflowBf16[s],
                    _ => double.NaN,
                };

                // Norms may legitimately be NaN or +Inf (non-finite gradients): report them once the layer was measured.
                bool report = which is LayerValue.Norm or LayerValue.NormPeak or LayerValue.MaxAbs ? seen[s] : !double.IsNaN(v);
                if (report)
                {
                    into.Add(new Measurement<double>(v, layerTags[s]));
                }
            }
        }
    }

    internal void ObserveLayerNonFinite(List<Measurement<long>> into)
    {
        lock (gate)
        {
            for (int s = 0; s < layerTags.Length; s++)
            {
                into.Add(new Measurement<long>(nonFinite[s], layerTags[s]));
            }
        }
    }

    internal void ObserveGlobal(GlobalValue which, List<Measurement<double>> into)
    {
        lock (gate)
        {
            double v = which switch
            {
                GlobalValue.Norm => globalNorm,
                GlobalValue.NormPeak => PeakOr(globalPeak, CurrentBucket(), globalNorm),
                GlobalValue.Loss => loss,
                GlobalValue.LearningRate => learningRate,
                GlobalValue.StepSizeAlpha => stepSizeAlpha,
                _ => double.NaN,
            };

            // A NaN loss or norm is real information (non-finite training): report it once it was measured.
            bool report = which switch
            {
                GlobalValue.Norm or GlobalValue.NormPeak => steps > 0,
                GlobalValue.Loss => lossSeen,
                _ => !double.IsNaN(v),
            };

            if (report)
            {
                into.Add(new Measurement<double>(v, runTags));
            }
        }
    }

    internal void ObserveCounters(CounterValue which, List<Measurement<long>> into)
    {
        lock (gate)
        {
            long bucket = CurrentBucket();
            switch (which)
            {
                case CounterValue.Steps:
                    into.Add(new Measurement<long>(steps, runTags));
                    break;
                case CounterValue.StepsSkipped:
                    into.Add(new Measurement<long>(skipped, runTags));
                    break;
                case CounterValue.RecentStepsSkipped:
                    into.Add(new Measurement<long>(recentSkipped.Count(bucket), runTags));
                    break;
                case CounterValue.Issues or CounterValue.RecentIssues:
                    foreach (var entry in issues.Values)
                    {
                        into.Add(new Measurement<long>(which == CounterValue.Issues ? entry.Total : entry.Recent.Count(bucket), entry.Tags));
                    }

                    break;
                case CounterValue.Remedies or CounterValue.RecentRemedies:
                    foreach (var entry in remedies.Values)
                    {
                        into.Add(new Measurement<long>(which == CounterValue.Remedies ? entry.Total : entry.Recent.Count(bucket), entry.Tags));
                    }

                    break;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // With a retention period, the series stay (with their last values) until it ends; infinite keeps them for good.
        if (retention == TimeSpan.Zero)
        {
            GradientWatchMeter.Unregister(this);
        }
        else if (retention != Timeout.InfiniteTimeSpan && retention <= MaxTimerDelay)
        {
            retentionTimer = time.CreateTimer(_ => GradientWatchMeter.Unregister(this), null, retention, Timeout.InfiniteTimeSpan);
        }

        // Longer than a timer can wait (about 49.7 days, TimeSpan.MaxValue included): kept until the process exits.
    }

    /// <summary>
    /// Tags of the layers whose histogram is exported (the first, the last and evenly spaced ones, at most
    /// <paramref name="cap"/>), indexed by layer; null for the others.
    /// </summary>
    private KeyValuePair<string, object?>[]?[] HistogramTags(IReadOnlyList<string> layerNames, int cap)
    {
        var chosen = ExportedLayers.Create(layerNames, cap);
        var tags = new KeyValuePair<string, object?>[]?[layerNames.Count];
        for (int s = 0; s < chosen.SlotCount; s++)
        {
            int depth = chosen.Depth[s];
            if (depth >= 0)
            {
                tags[depth] = [runTags[0], runTags[1], new(GradientWatchMetricNames.Layer, chosen.Names[s]), new(GradientWatchMetricNames.LayerIndex, depth.ToString(CultureInfo.InvariantCulture))];
            }
        }

        return tags;
    }

    /// <summary>Records each exported layer's distribution as <see cref="GradientWatchMetricNames.MagnitudePointsPerStep"/> quantile points.</summary>
    private void RecordHistograms(IReadOnlyList<LayerStatistics> layers)
    {
        if (histogramTags.Length == 0)
        {
            return;
        }

        const int points = GradientWatchMetricNames.MagnitudePointsPerStep;
        foreach (var layer in layers)
        {
            if ((uint)layer.Index < (uint)histogramTags.Length && histogramTags[layer.Index] is { } tags && layer.Histogram is { } h && h.TotalCount > h.NanCount)
            {
                var span = new ReadOnlySpan<KeyValuePair<string, object?>>(tags);
                for (int i = 0; i < points; i++)
                {
                    GradientWatchMeter.Magnitude.Record(h.Quantile((i + 0.5) / points), span);
                }
            }
        }
    }

    private static double PeakOr(WindowedMax peak, long bucket, double fallback)
    {
        double max = peak.Max(bucket);
        return double.IsNaN(max) ? fallback : max;
    }

    private EventCount IssueCount(GradientIssueKind kind, GradientEventSeverity severity)
    {
        if (!issues.TryGetValue((kind, severity), out var entry))
        {
            entry = new EventCount(
            [
                runTags[0], runTags[1],
                new(GradientWatchMetricNames.Kind, MetricLabels.Of(kind)),
                new(GradientWatchMetricNames.Severity, MetricLabels.Of(severity)),
            ]);
            issues[(kind, severity)] = entry;
        }

        return entry;
    }

    private static double[] Filled(int length, double value)
    {
        var a = new double[length];
        Array.Fill(a, value);
        return a;
    }

    private long CurrentBucket() => time.GetTimestamp() / bucketTicks;

    private string RemedyKey(string remedy)
    {
        string key = MetricLabels.Sanitize(remedy);
        if (!remedies.ContainsKey(key))
        {
            if (remedies.Count >= MaxRemedyNames)
            {
                key = GradientWatchMetricNames.OtherLayer;
                if (remedies.ContainsKey(key))
                {
                    return key;
                }
            }

            remedies[key] = new EventCount([runTags[0], runTags[1], new(GradientWatchMetricNames.Remedy, key)]);
        }

        return key;
    }

    /// <summary>One event series: its labels, the count since the run started, and the count in the trailing window.</summary>
    private sealed class EventCount(KeyValuePair<string, object?>[] tags)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public long Total { get; private set; }

        public WindowedCount Recent { get; } = new();

        public void Add(long bucket)
        {
            Total++;
            Recent.Add(bucket);
        }
    }

    private struct Slot
    {
        public int Count;
        public double Norm;
        public double MaxAbs;
        public bool Full;
        public long Elements;
        public double Zeros;
        public double WeightSq;
        public bool HasUpdate;
        public double UpdateSq;
        public double UpdateWeightSq;
        public bool HasUnderflow;
        public double Underflow16;
        public double UnderflowBf16;
    }
}
