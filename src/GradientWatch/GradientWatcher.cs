using System.Diagnostics;
using GradientWatch.Capture;
using GradientWatch.Statistics;
using GradientWatch.Telemetry;
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
    private readonly List<IDisposable> attachments = new();
    private long step;
    private bool disposed;

    internal GradientWatcher(nn.Module module, optim.Optimizer optimizer, GradientWatchOptions options)
    {
        this.module = module;
        this.optimizer = optimizer;
        this.options = options;
        map = LayerMap.Build(module, options.Grouping, options.GroupingDepth);
        capture = new GradientCapture(map, options.MaxDegreeOfParallelism);
        RunId = options.RunId ?? Guid.NewGuid().ToString("N")[..12];
        ModelName = options.ModelName ?? module.GetType().Name;
        LayerNames = map.Layers.Select(l => l.Name).ToArray();
        metrics = new GradientWatchMetrics(RunId, ModelName, LayerNames, options);
    }

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

    internal GradientCapture Capture => capture;

    internal optim.Optimizer Optimizer => optimizer;

    internal nn.Module Module => module;

    /// <summary>Ties <paramref name="attachment"/> (for example a metrics endpoint) to this watcher's lifetime.</summary>
    internal void Attach(IDisposable? attachment)
    {
        if (attachment is not null)
        {
            attachments.Add(attachment);
        }
    }

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
        capture.MeasureGradients(full);
        var grads = capture.Gradients;
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
            capture.MeasureGradients(full: true);
        }

        bool measureUpdate = full && options.MeasureUpdateRatio;
        if (full)
        {
            capture.MeasureWeights(snapshot: measureUpdate);
        }

        var layers = BuildLayers(full, includeUpdate: false);
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
        };

        long beforeStep = Stopwatch.GetTimestamp();
        optimizer.step();
        long afterStep = Stopwatch.GetTimestamp();

        if (measureUpdate)
        {
            capture.MeasureUpdate();
            snapshot = snapshot with { Layers = BuildLayers(full: true, includeUpdate: true) };
        }

        snapshot = snapshot with { Overhead = Stopwatch.GetElapsedTime(started) - Stopwatch.GetElapsedTime(beforeStep, afterStep) };
        Latest = snapshot;
        if (full)
        {
            LatestFull = snapshot;
        }

        try
        {
            metrics.Record(snapshot, Array.Empty<GradientEvent>());
        }
        catch (Exception)
        {
            // Diagnostics never stop training.
        }

        RaiseStepCompleted(snapshot);
        return snapshot;
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

    private LayerStatistics[] BuildLayers(bool full, bool includeUpdate)
    {
        var grads = capture.Gradients;
        var weights = capture.Weights;
        var updates = capture.UpdatesSquared;
        var result = new LayerStatistics[map.Layers.Count];
        for (int li = 0; li < result.Length; li++)
        {
            var layer = map.Layers[li];
            var g = default(GradientMoments);
            var w = default(GradientMoments);
            double updateSq = 0;
            bool anyGrad = false;
            bool updateKnown = includeUpdate;
            foreach (int pi in layer.ParameterIndices)
            {
                if (!capture.HasGradient(pi))
                {
                    continue;
                }

                anyGrad = true;
                g.Add(grads[pi]);
                if (full)
                {
                    w.Add(weights[pi]);
                }

                if (includeUpdate)
                {
                    if (double.IsNaN(updates[pi]))
                    {
                        updateKnown = false;
                    }
                    else
                    {
                        updateSq += updates[pi];
                    }
                }
            }

            if (!anyGrad)
            {
                result[li] = new LayerStatistics
                {
                    Name = layer.Name,
                    Index = li,
                    ParameterCount = layer.ParameterIndices.Length,
                    ElementCount = 0,
                    IsFrozen = true,
                    HasFullStatistics = false,
                    GradientNorm = double.NaN,
                    MaxAbs = double.NaN,
                    NanCount = 0,
                    InfCount = 0,
                };
                continue;
            }

            double norm = g.Norm;
            double weightNorm = full ? w.Norm : double.NaN;
            result[li] = new LayerStatistics
            {
                Name = layer.Name,
                Index = li,
                ParameterCount = layer.ParameterIndices.Length,
                ElementCount = g.Count,
                IsFrozen = false,
                HasFullStatistics = full,
                GradientNorm = norm,
                MaxAbs = g.MaxAbs,
                NanCount = g.NanCount,
                InfCount = g.InfCount,
                Mean = full ? g.Mean : double.NaN,
                StandardDeviation = full ? g.StandardDeviation : double.NaN,
                ZeroFraction = full ? g.ZeroFraction : double.NaN,
                WeightNorm = weightNorm,
                GradientToWeightRatio = full ? norm / weightNorm : double.NaN,
                UpdateToWeightRatio = includeUpdate && updateKnown ? Math.Sqrt(updateSq) / weightNorm : double.NaN,
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

        // Attachments first, so an exporter's final flush still sees this watcher's metrics.
        for (int i = attachments.Count - 1; i >= 0; i--)
        {
            try
            {
                attachments[i].Dispose();
            }
            catch (Exception)
            {
                // Diagnostics never break the caller.
            }
        }

        capture.Dispose();
        metrics.Dispose();
    }
}
