using System.Diagnostics;
using GradientWatch.Capture;
using GradientWatch.Detection;
using GradientWatch.Events;
using GradientWatch.Remedies;
using GradientWatch.Statistics;
using GradientWatch.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch;

/// <summary>
/// Watches the gradients of one TorchSharp module trained by one optimizer. Call <see cref="Step(double?)"/>
/// after <c>loss.backward()</c> instead of <c>optimizer.step()</c>: it measures the gradients, runs the
/// configured detectors and remedies, steps the optimizer unless a remedy vetoed the step, and returns
/// a <see cref="StepSnapshot"/> of what it saw.
/// </summary>
/// <example>
/// <code>
/// using var watch = model.WatchGradients(optimizer);
/// for (int i = 0; i &lt; steps; i++)
/// {
///     optimizer.zero_grad();
///     using var loss = criterion.call(model.call(x), y);
///     loss.backward();
///     StepSnapshot s = watch.Step(loss);   // measures, detects, remedies, optimizer.step()
/// }
/// </code>
/// </example>
public sealed class GradientWatcher : IDisposable
{
    private readonly nn.Module module;
    private readonly optim.Optimizer optimizer;
    private readonly GradientWatchOptions options;
    private readonly LayerMap map;
    private readonly GradientCapture capture;
    private readonly GradientWatchMetrics metrics;
    private readonly IReadOnlyList<IGradientDetector> detectors;
    private readonly IReadOnlyList<GradientRemedy> remedies;
    private readonly string[] remedyNames;
    private readonly TorchGradientEditor editor;
    private readonly EventDispatcher dispatcher;
    private readonly ILogger logger;
    private readonly ModelProfile profile;
    private readonly Dictionary<GradientIssueKind, Queue<long>> occurrences = new();
    private readonly Dictionary<GradientIssueKind, long> issueCounts = new();
    private readonly Dictionary<string, long> remedyCounts = new(StringComparer.Ordinal);
    private readonly List<GradientEvent> stepEvents = new();
    private readonly List<DetectedIssue> stepIssues = new();
    private readonly List<RemedyAction> stepActions = new();
    private readonly StepSizeTracker? stepSize;
    private long step;
    private long skipped;
    private bool disposed;
    private bool registered;
    private bool warnedSameGradients;
    private bool warnedUnmeasured;

    internal GradientWatcher(nn.Module module, optim.Optimizer optimizer, GradientWatchOptions options, GradientWatchBuilder.Plan plan)
    {
        this.module = module;
        this.optimizer = optimizer;
        this.options = options;
        logger = GuardedLogger.Create(plan.LoggerFactory, "GradientWatch");
        map = LayerMap.Build(module, options.Grouping, options.GroupingDepth);
        capture = new GradientCapture(map, options.MaxDegreeOfParallelism) { SampleUpdates = options.SampleUpdateRatio };
        RunId = options.RunId ?? Guid.NewGuid().ToString("N")[..12];
        ModelName = options.ModelName ?? module.GetType().Name;
        LayerNames = map.Layers.Select(l => l.Name).ToArray();
        detectors = plan.CreateDetectors();
        remedies = plan.CreateRemedies();
        ValidatePenaltyLayers(plan);
        remedyNames = remedies.Select(r => r.Name).Distinct().ToArray();
        editor = new TorchGradientEditor(map, capture, optimizer);
        stepSize = options.MeasureStepSize ? new StepSizeTracker(map) : null;
        profile = ModelInspector.Inspect(module);
        dispatcher = new EventDispatcher(options.EventHistoryCapacity, plan.EventCallbacks, logger, options.EventFilePath);
        foreach (var callback in plan.StepCallbacks)
        {
            StepCompleted += (_, s) => callback(s);
        }

        metrics = new GradientWatchMetrics(RunId, ModelName, LayerNames, options);
        metrics.DeclareRemedies(remedyNames);
        foreach (var attach in plan.Attachments)
        {
            try
            {
                Attachments.Add(attach(this));
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "GradientWatch: an attachment failed to start; training continues without it");
            }
        }

        var (sharingOptimizer, sharingRunId) = WatcherRegistry.Register(optimizer, RunId);
        registered = true;
        if (sharingOptimizer > 0)
        {
            Misuse($"GradientWatch: {sharingOptimizer} other live watcher(s) already watch this optimizer. If more than one calls Step, the optimizer steps more than once per backward(); dispose the old watcher, or watch each optimizer once.");
        }

        if (sharingRunId > 0)
        {
            Misuse($"GradientWatch: {sharingRunId} other live watcher(s) already use RunId '{RunId}'. Their metric series merge (the last writer wins); give each concurrent run its own RunId.");
        }
    }

    /// <summary>Layer names given to a penalty must name a layer of this model (or a prefix of one); checked when the model is known.</summary>
    private void ValidatePenaltyLayers(GradientWatchBuilder.Plan plan)
    {
        foreach (var r in plan.Remedies)
        {
            if (r.Options is not PenaltyOptions { Layers.Count: > 0 } penalty)
            {
                continue;
            }

            foreach (string name in penalty.Layers)
            {
                if (string.IsNullOrEmpty(name) || !LayerNames.Any(l => l == name || l.StartsWith(name + ".", StringComparison.Ordinal)))
                {
                    string known = string.Join(", ", LayerNames.Take(20)) + (LayerNames.Count > 20 ? ", …" : string.Empty);
                    throw new ArgumentException($"{r.Name}: PenaltyOptions.Layers names '{name}', which is not a layer of this model (nor a prefix of one). Layers: {known}.", nameof(PenaltyOptions.Layers));
                }
            }
        }
    }

    /// <summary>Reports a likely misuse once: through the logger, or on standard error when no logger was configured.</summary>
    private void Misuse(string message)
    {
        if (logger is NullLogger)
        {
            try
            {
                Console.Error.WriteLine(message);
            }
            catch (Exception)
            {
                // Nowhere to report; training goes on.
            }
        }
        else
        {
            logger.LogWarning("{Message}", message);
        }
    }

    /// <summary>Objects whose lifetime is tied to this watcher (for example a metrics endpoint); disposed with it.</summary>
    internal List<IDisposable> Attachments { get; } = new();

    /// <summary>Identifier of this training run (from <see cref="GradientWatchOptions.RunId"/> or generated).</summary>
    public string RunId { get; }

    /// <summary>Name of the watched model.</summary>
    public string ModelName { get; }

    /// <summary>The reported layers, in order.</summary>
    public IReadOnlyList<string> LayerNames { get; }

    /// <summary>Number of steps measured so far.</summary>
    public long StepCount => step;

    /// <summary>The snapshot of the most recent step, or null before the first step.</summary>
    public StepSnapshot? Latest { get; private set; }

    /// <summary>The most recent snapshot that carried full per-layer statistics, or null.</summary>
    public StepSnapshot? LatestFull { get; private set; }

    /// <summary>Raised after every step with its snapshot. Handler exceptions are swallowed and never stop training.</summary>
    public event EventHandler<StepSnapshot>? StepCompleted;

    /// <summary>Every issue and remedy event as it happens. Observer exceptions are isolated and never stop training.</summary>
    public IObservable<GradientEvent> Events => dispatcher;

    /// <summary>The most recent events, oldest first, bounded by <see cref="GradientWatchOptions.EventHistoryCapacity"/>.</summary>
    public IReadOnlyList<GradientEvent> History => dispatcher.History;

    /// <summary>Full path of the JSON Lines event file, or null when none is written.</summary>
    public string? EventFilePath => dispatcher.EventFilePath;

    /// <summary>A summary of the run so far: steps, issues and remedies by kind, and the latest statistics.</summary>
    public GradientWatchSummary GetSummary() => new()
    {
        RunId = RunId,
        Model = ModelName,
        Steps = step,
        SkippedSteps = skipped,
        IssueCounts = new Dictionary<GradientIssueKind, long>(issueCounts),
        RemedyCounts = new Dictionary<string, long>(remedyCounts, StringComparer.Ordinal),
        LastStep = Latest,
        LastFullStatistics = LatestFull,
        RecentEvents = History,
    };

    /// <summary>
    /// The logger this watcher writes to: category <c>GradientWatch</c> from the factory given to
    /// <see cref="GradientWatchBuilder.UseLoggerFactory"/>, or a logger that discards everything. Integration
    /// packages log through it so their messages land next to the watcher's.
    /// </summary>
    public ILogger Logger => logger;

    internal GradientCapture Capture => capture;

    internal optim.Optimizer Optimizer => optimizer;

    internal nn.Module Module => module;

    /// <summary>Measures the step, runs detection and remedies, and steps the optimizer unless vetoed.</summary>
    /// <param name="loss">The step's loss, if known; used by non-finite detection and reported in metrics.</param>
    public StepSnapshot Step(double? loss = null) => StepCore(loss);

    /// <summary>Measures the step, runs detection and remedies, and steps the optimizer unless vetoed.</summary>
    /// <param name="loss">The step's loss tensor (a scalar); read once.</param>
    public StepSnapshot Step(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return StepCore(loss.detach().cpu().to_type(ScalarType.Float64).item<double>());
    }

    private StepSnapshot StepCore(double? loss)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        long started = Stopwatch.GetTimestamp();
        step++;
        using var scope = torch.NewDisposeScope();
        bool full = (step - 1) % options.FullStatisticsInterval == 0;
        capture.MeasureGradients(full, options.MeasureGradientHistograms);
        var grads = capture.Gradients;
        var fingerprint = WatcherRegistry.Fingerprint(grads, capture.HasGradient);
        CheckMeasurable(fingerprint);
        bool nonFinite = loss is { } l && !double.IsFinite(l);
        double globalSq = 0;
        foreach (ref readonly var g in grads)
        {
            globalSq += g.SumOfSquares;
            nonFinite |= g.NonFiniteCount > 0;
        }

        if (nonFinite && !full)
        {
            full = true;
            capture.MeasureGradients(full: true, options.MeasureGradientHistograms);
        }

        if (full)
        {
            capture.MeasureZeroUnits();
        }

        bool measureUpdate = full && options.MeasureUpdateRatio;
        var layers = BuildLayers(full);
        double globalNorm = nonFinite ? NonFiniteNorm(grads) : Math.Sqrt(globalSq);
        var snapshot = new StepSnapshot
        {
            Step = step,
            Timestamp = DateTimeOffset.UtcNow,
            Loss = loss,
            GlobalGradientNorm = globalNorm,
            HasNonFinite = nonFinite,
            LearningRates = ReadLearningRates(),
            IsFullStatistics = full,
            Layers = layers,
            GlobalGradientNormAfterRemedies = globalNorm,
            StepSizeAlpha = MeasureAlpha(loss),
        };

        // Detection: plain C# over the snapshot. A failing detector is logged and skipped.
        stepIssues.Clear();
        Detect(snapshot, afterStep: false);

        // Remedies, in the order they were added.
        stepActions.Clear();
        editor.Reset(globalNorm);
        var context = new RemedyContext(snapshot, stepIssues, editor);
        foreach (var remedy in remedies)
        {
            try
            {
                if (remedy.Run(context) is { } action)
                {
                    stepActions.Add(action);
                }
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "GradientWatch: remedy {Remedy} failed on step {Step}; training continues", remedy.Name, step);
            }

            if (context.HaltReason is not null)
            {
                break;
            }
        }

        double normAfter = globalNorm;
        if (editor.Edited)
        {
            try
            {
                normAfter = editor.CurrentGlobalNorm;
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "GradientWatch: could not re-measure the norm after remedies");
            }
        }

        bool skip = context.VetoReason is not null;
        long beforeStep = Stopwatch.GetTimestamp();
        if (skip)
        {
            skipped++;
            optimizer.zero_grad();
            capture.DiscardSnapshots();
            stepSize?.Reset();
            WatcherRegistry.RecordStep(optimizer, null);
        }
        else
        {
            if (measureUpdate)
            {
                capture.SnapshotWeights();
            }

            TryStepSize(t => t.BeforeStep());
            beforeStep = Stopwatch.GetTimestamp();
            optimizer.step();
            WatcherRegistry.RecordStep(optimizer, editor.Edited ? null : fingerprint);
        }

        long afterStep = Stopwatch.GetTimestamp();
        if (!skip)
        {
            TryStepSize(t => t.AfterStep(loss, editor.UniformScale));
        }

        if (full)
        {
            // One read of the weights after the step: their norms and, when a snapshot was kept, ‖Δw‖.
            capture.MeasureWeights(withUpdate: measureUpdate && !skip);
            layers = WithWeights(layers, includeUpdate: measureUpdate && !skip);
        }

        snapshot = snapshot with
        {
            Layers = layers,
            StepSkipped = skip,
            GlobalGradientNormAfterRemedies = normAfter,
        };
        Detect(snapshot, afterStep: true);

        var events = BuildEvents(snapshot);
        snapshot = snapshot with { Overhead = Stopwatch.GetElapsedTime(started) - Stopwatch.GetElapsedTime(beforeStep, afterStep) };
        Latest = snapshot;
        if (full)
        {
            LatestFull = snapshot;
        }

        foreach (var e in events)
        {
            dispatcher.Publish(e);
        }

        try
        {
            metrics.Record(snapshot, events);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "GradientWatch: recording metrics failed; training continues");
        }

        RaiseStepCompleted(snapshot);
        if (context.HaltReason is { } reason)
        {
            throw new GradientWatchHaltedException(reason, snapshot, History.TakeLast(50).ToArray());
        }

        return snapshot;
    }

    /// <summary>Warns once about gradients identical to the optimizer's previous step, and about sparse gradients left unmeasured.</summary>
    private void CheckMeasurable(double[]? fingerprint)
    {
        if (!warnedSameGradients && WatcherRegistry.MatchesLastStep(optimizer, fingerprint))
        {
            warnedSameGradients = true;
            Misuse($"GradientWatch: step {step} sees exactly the gradients the optimizer was already stepped with: backward() did not run in between (Step called twice after one backward, or two watchers stepping one optimizer), so the optimizer steps twice on one gradient. Call Step once per backward().");
        }

        if (!warnedUnmeasured && capture.UnmeasuredSparse.Count > 0)
        {
            warnedUnmeasured = true;
            var names = capture.UnmeasuredSparse.Select(i => map.Parameters[i].Name).Take(10);
            logger.LogWarning("GradientWatch: sparse gradients of {Parameters} hold more than {Limit} elements and are not measured (reported like frozen parameters); training continues", string.Join(", ", names), GradientCapture.MaxDensifiedElements);
        }
    }

    /// <summary>Runs the detectors of one phase: before the optimizer step (most), or after it (those that need the update).</summary>
    private void Detect(StepSnapshot snapshot, bool afterStep)
    {
        foreach (var detector in detectors)
        {
            if (detector.AfterStep != afterStep)
            {
                continue;
            }

            try
            {
                detector.Detect(snapshot, stepIssues);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "GradientWatch: detector {Detector} failed on step {Step}; training continues", detector.GetType().Name, step);
            }
        }
    }

    private IReadOnlyList<GradientEvent> BuildEvents(StepSnapshot snapshot)
    {
        if (stepIssues.Count == 0 && stepActions.Count == 0)
        {
            return Array.Empty<GradientEvent>();
        }

        var now = DateTimeOffset.UtcNow;
        var events = new List<GradientEvent>(stepIssues.Count + stepActions.Count);
        foreach (var issue in stepIssues)
        {
            var taken = stepActions.Where(a => a.Cause == issue.Kind || a.Cause is null).Select(a => a.Remedy).Distinct().ToArray();
            issueCounts[issue.Kind] = issueCounts.GetValueOrDefault(issue.Kind) + 1;
            string? advice = null;
            if (Persisting(issue, snapshot.Step))
            {
                try
                {
                    advice = AdviceBuilder.For(issue, profile, snapshot, remedyNames);
                }
                catch (Exception ex)
                {
                    logger.LogDebug(ex, "GradientWatch: building advice failed");
                }
            }

            events.Add(new GradientEvent
            {
                Type = GradientEventType.Issue,
                Step = snapshot.Step,
                Time = now,
                RunId = RunId,
                Model = ModelName,
                Kind = issue.Kind,
                Trigger = issue.Trigger,
                Severity = issue.Severity,
                Layers = issue.Layers,
                ObservedValue = issue.ObservedValue,
                Threshold = issue.Threshold,
                RemediesTaken = taken,
                Advice = advice,
                Message = issue.Message,
                Details = issue.Details,
            });
        }

        foreach (var action in stepActions)
        {
            remedyCounts[action.Remedy] = remedyCounts.GetValueOrDefault(action.Remedy) + 1;
            events.Add(new GradientEvent
            {
                Type = GradientEventType.Remedy,
                Step = snapshot.Step,
                Time = now,
                RunId = RunId,
                Model = ModelName,
                Kind = action.Cause,
                Severity = action.Remedy == "halt" ? GradientEventSeverity.Critical : GradientEventSeverity.Info,
                Layers = action.Layers,
                ObservedValue = action.ObservedValue,
                Threshold = action.Threshold,
                Remedy = action.Remedy,
                Message = action.Message,
                Details = action.Details,
            });
        }

        return events;
    }

    /// <summary>
    /// Persistent issues always carry advice, and so does Error-severity exploding (divergence or growth: on the corpus it
    /// came a median of 3.5 steps before the loss went non-finite, too soon to wait for repeats); other transient issues
    /// once they occurred often enough within the advice window.
    /// </summary>
    private bool Persisting(DetectedIssue issue, long currentStep)
    {
        if (!occurrences.TryGetValue(issue.Kind, out var queue))
        {
            occurrences[issue.Kind] = queue = new Queue<long>();
        }

        queue.Enqueue(currentStep);
        while (queue.Count > 0 && currentStep - queue.Peek() >= options.AdviceWindowSteps)
        {
            queue.Dequeue();
        }

        while (queue.Count > options.AdviceAfterOccurrences)
        {
            queue.Dequeue();
        }

        return issue.Persistent
            || (issue.Kind == GradientIssueKind.Exploding && issue.Severity >= GradientEventSeverity.Error)
            || queue.Count >= options.AdviceAfterOccurrences;
    }

    private double MeasureAlpha(double? loss)
    {
        if (stepSize is null)
        {
            return double.NaN;
        }

        try
        {
            return stepSize.Complete() is { } m ? StepSizeFit.Alpha(m.Loss0, loss, m.Slope0, m.Slope1) : double.NaN;
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "GradientWatch: step-size measurement failed");
            return double.NaN;
        }
    }

    private void TryStepSize(Action<StepSizeTracker> action)
    {
        if (stepSize is null)
        {
            return;
        }

        try
        {
            action(stepSize);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "GradientWatch: step-size measurement failed");
            stepSize.Reset();
        }
    }

    private static double NonFiniteNorm(ReadOnlySpan<GradientMoments> grads)
    {
        foreach (ref readonly var g in grads)
        {
            if (g.NanCount > 0)
            {
                return double.NaN;
            }
        }

        foreach (ref readonly var g in grads)
        {
            if (g.InfCount > 0)
            {
                return double.PositiveInfinity;
            }
        }

        double sq = 0;
        foreach (ref readonly var g in grads)
        {
            sq += g.SumOfSquares;
        }

        return Math.Sqrt(sq);
    }

    /// <summary>Per-layer gradient statistics of this step (weights are measured after the optimizer step, see <see cref="WithWeights"/>).</summary>
    private LayerStatistics[] BuildLayers(bool full)
    {
        var grads = capture.Gradients;
        var result = new LayerStatistics[map.Layers.Count];
        Span<long> layout = stackalloc long[ExponentHistogram.Length];
        for (int li = 0; li < result.Length; li++)
        {
            var layer = map.Layers[li];
            var g = default(GradientMoments);
            bool anyGrad = false;
            long units = 0, zeroUnits = 0;
            layout.Clear();
            foreach (int pi in layer.ParameterIndices)
            {
                if (capture.HasGradient(pi))
                {
                    anyGrad = true;
                    g.Add(grads[pi]);
                    units += capture.Units[pi];
                    zeroUnits += capture.ZeroUnits[pi];
                    if (capture.HasHistograms)
                    {
                        var h = capture.Histogram(pi);
                        for (int b = 0; b < layout.Length; b++)
                        {
                            layout[b] += h[b];
                        }
                    }
                }
            }

            var histogram = anyGrad && full && capture.HasHistograms ? new GradientHistogram(layout) : null;

            result[li] = new LayerStatistics
            {
                Name = layer.Name,
                Index = li,
                ParameterCount = layer.ParameterIndices.Length,
                ElementCount = anyGrad ? g.Count : 0,
                IsFrozen = !anyGrad,
                HasFullStatistics = anyGrad && full,
                GradientNorm = anyGrad ? g.Norm : double.NaN,
                MaxAbs = anyGrad ? g.MaxAbs : double.NaN,
                NanCount = g.NanCount,
                InfCount = g.InfCount,
                Mean = anyGrad && full ? g.Mean : double.NaN,
                StandardDeviation = anyGrad && full ? g.StandardDeviation : double.NaN,
                ZeroFraction = anyGrad && full ? g.ZeroFraction : double.NaN,
                DeadUnitFraction = anyGrad && full && units > 0 ? (double)zeroUnits / units : double.NaN,
                Histogram = histogram,
                Float16UnderflowFraction = UnderflowFraction(histogram, GradientHistogram.Float16MinNormalExponent),
                BFloat16UnderflowFraction = UnderflowFraction(histogram, GradientHistogram.BFloat16MinNormalExponent),
            };
        }

        return result;
    }

    private static double UnderflowFraction(GradientHistogram? histogram, int minNormalExponent)
        => histogram is { TotalCount: > 0 } h ? (double)h.CountNonZeroBelow(minNormalExponent) / h.TotalCount : double.NaN;

    /// <summary>
    /// Adds the weight norms measured after the optimizer step, ‖g‖/‖w‖ and, with <paramref name="includeUpdate"/>,
    /// ‖Δw‖/‖w‖ to the step's layer statistics.
    /// </summary>
    private LayerStatistics[] WithWeights(LayerStatistics[] layers, bool includeUpdate)
    {
        var weights = capture.Weights;
        var updates = capture.UpdatesSquared;
        var result = new LayerStatistics[layers.Length];
        for (int li = 0; li < layers.Length; li++)
        {
            var layer = layers[li];
            if (layer.IsFrozen)
            {
                result[li] = layer;
                continue;
            }

            var w = default(GradientMoments);
            double updateSq = 0;
            bool updateKnown = includeUpdate;
            foreach (int pi in map.Layers[li].ParameterIndices)
            {
                if (!capture.HasGradient(pi))
                {
                    continue;
                }

                w.Add(weights[pi]);
                if (double.IsNaN(updates[pi]))
                {
                    updateKnown = false;
                }
                else
                {
                    updateSq += updates[pi];
                }
            }

            double weightNorm = w.Norm;
            result[li] = layer with
            {
                WeightNorm = weightNorm,
                GradientToWeightRatio = layer.GradientNorm / weightNorm,
                UpdateToWeightRatio = updateKnown ? Math.Sqrt(updateSq) / weightNorm : double.NaN,
            };
        }

        return result;
    }

    private double[] ReadLearningRates()
    {
        try
        {
            return optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
        }
        catch (Exception)
        {
            return Array.Empty<double>();
        }
    }

    private void RaiseStepCompleted(StepSnapshot snapshot)
    {
        var handlers = StepCompleted;
        if (handlers is null)
        {
            return;
        }

        foreach (EventHandler<StepSnapshot> handler in handlers.GetInvocationList())
        {
            try
            {
                handler(this, snapshot);
            }
            catch (Exception)
            {
                // A subscriber's failure must never stop training.
            }
        }
    }

    /// <summary>Releases the weight snapshots and stops all sinks.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (registered)
        {
            WatcherRegistry.Unregister(optimizer, RunId);
        }

        foreach (var attachment in Attachments)
        {
            DisposePart(attachment, "an attachment");
        }

        // Each part is released even when another one fails, so the event file is always closed.
        DisposePart(capture, "the weight snapshots");
        DisposePart(stepSize, "the step-size instrument");
        DisposePart(metrics, "the metric series");
        DisposePart(dispatcher, "the event sinks");
    }

    private void DisposePart(IDisposable? part, string what)
    {
        try
        {
            part?.Dispose();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "GradientWatch: releasing {Part} failed", what);
        }
    }
}
