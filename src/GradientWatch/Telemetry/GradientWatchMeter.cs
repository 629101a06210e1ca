using System.Diagnostics.Metrics;
using System.Reflection;
using N = GradientWatch.Telemetry.GradientWatchMetricNames;

namespace GradientWatch.Telemetry;

/// <summary>
/// The process-wide <see cref="System.Diagnostics.Metrics.Meter"/> named <c>GradientWatch</c> and its observable
/// instruments. Their callbacks read the latest state of every live watcher, registered here thread-safely.
/// Uses System.Diagnostics.Metrics only: any listener (OpenTelemetry, dotnet-counters...) can collect it.
/// </summary>
internal static class GradientWatchMeter
{
    private static readonly object RegistryGate = new();
    private static GradientWatchMetrics[] watchers = [];

    /// <summary>The meter. Created on first use, lives for the process.</summary>
    public static readonly Meter Meter = CreateMeter();

    /// <summary>
    /// The per-layer |g| distribution (opt-in, <see cref="GradientWatchOptions.ExportGradientHistograms"/>). Its fixed
    /// power-of-two bucket boundaries (<see cref="N.MagnitudeBoundaries"/>) are set by a view in
    /// <c>AddGradientWatchInstrumentation()</c> (System.Diagnostics.DiagnosticSource 8 has no instrument advice).
    /// </summary>
    public static readonly Histogram<double> Magnitude = Meter.CreateHistogram<double>(
        N.LayerGradientMagnitude,
        N.UnitMagnitude,
        "Distribution of |g| over the layer's gradient elements: each full-statistics step records the |g| at 100 evenly spaced quantiles of the layer's exact exponent histogram. Only with ExportGradientHistograms.");

    /// <summary>The watchers currently reporting.</summary>
    internal static IReadOnlyList<GradientWatchMetrics> Watchers => Volatile.Read(ref watchers);

    internal static void Register(GradientWatchMetrics metrics)
    {
        lock (RegistryGate)
        {
            watchers = [.. watchers, metrics];
        }
    }

    internal static void Unregister(GradientWatchMetrics metrics)
    {
        lock (RegistryGate)
        {
            watchers = watchers.Where(w => !ReferenceEquals(w, metrics)).ToArray();
        }
    }

    private static Meter CreateMeter()
    {
        string? version = typeof(GradientWatchMeter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = version?.IndexOf('+') ?? -1;
        var meter = new Meter(N.MeterName, plus > 0 ? version![..plus] : version);

        Layer(meter, N.LayerGradientNorm, N.UnitNorm, LayerValue.Norm,
            "L2 norm of the layer's gradient on the latest step.");
        Layer(meter, N.LayerGradientNormPeak, N.UnitNorm, LayerValue.NormPeak,
            "Largest L2 norm of the layer's gradient on any step in the trailing peak window (GradientWatchOptions.MetricsPeakWindow).");
        Layer(meter, N.LayerGradientMaxAbs, N.UnitNorm, LayerValue.MaxAbs,
            "Largest |g| of the layer's gradient elements on any step in the trailing peak window.");
        Layer(meter, N.LayerGradientZeroFraction, N.UnitRatio, LayerValue.ZeroFraction,
            "Fraction of the layer's gradient elements exactly equal to zero (latest full-statistics step).");
        Layer(meter, N.LayerWeightNorm, N.UnitNorm, LayerValue.WeightNorm,
            "L2 norm of the layer's trainable weights (latest full-statistics step).");
        Layer(meter, N.LayerUpdateRatio, N.UnitRatio, LayerValue.UpdateRatio,
            "Update-to-weight ratio ||dw||/||w|| of the layer across the optimizer step (latest full-statistics step).");
        Layer(meter, N.LayerGradientFloat16Underflow, N.UnitRatio, LayerValue.Float16Underflow,
            "Fraction of the layer's gradient elements that are non-zero but below float16's smallest normal 2^-14: subnormal or zero in float16 (latest full-statistics step).");
        Layer(meter, N.LayerGradientBFloat16Underflow, N.UnitRatio, LayerValue.BFloat16Underflow,
            "Fraction of the layer's gradient elements that are non-zero but below bfloat16's smallest normal 2^-126 (latest full-statistics step).");
        meter.CreateObservableCounter(N.LayerGradientNonFinite, ObserveLayerNonFinite, N.UnitElement,
            "NaN and Inf gradient elements seen in the layer, summed over all steps.");

        Global(meter, N.GradientNorm, N.UnitNorm, GlobalValue.Norm,
            "Global L2 norm of all gradients on the latest step (before remedies).");
        Global(meter, N.GradientNormPeak, N.UnitNorm, GlobalValue.NormPeak,
            "Largest global gradient L2 norm on any step in the trailing peak window.");
        Global(meter, N.Loss, N.UnitLoss, GlobalValue.Loss,
            "Loss of the latest step, as passed to the watcher.");
        Global(meter, N.LearningRate, N.UnitLearningRate, GlobalValue.LearningRate,
            "Learning rate of the optimizer's first parameter group.");
        Global(meter, N.StepSizeAlpha, N.UnitAlpha, GlobalValue.StepSizeAlpha,
            "Step-size alpha (Cockpit) of the latest measured step: 0 lands at the minimum along the step, above 0 overshoots. Only with MeasureStepSize.");
        Counter(meter, N.Steps, N.UnitStep, CounterValue.Steps, "Training steps measured.");
        Counter(meter, N.StepsSkipped, N.UnitStep, CounterValue.StepsSkipped, "Optimizer steps vetoed by a remedy.");
        Counter(meter, N.Issues, N.UnitIssue, CounterValue.Issues, "Gradient issues detected, by kind and severity.");
        Counter(meter, N.Remedies, N.UnitRemedy, CounterValue.Remedies, "Remedy actions taken, by remedy.");
        Recent(meter, N.StepsSkippedRecent, N.UnitStep, CounterValue.RecentStepsSkipped,
            "Optimizer steps vetoed by a remedy in the trailing window (GradientWatchOptions.MetricsPeakWindow).");
        Recent(meter, N.IssuesRecent, N.UnitIssue, CounterValue.RecentIssues,
            "Gradient issues detected in the trailing window (GradientWatchOptions.MetricsPeakWindow), by kind and severity.");
        Recent(meter, N.RemediesRecent, N.UnitRemedy, CounterValue.RecentRemedies,
            "Remedy actions taken in the trailing window (GradientWatchOptions.MetricsPeakWindow), by remedy.");
        return meter;
    }

    private static void Layer(Meter meter, string name, string unit, LayerValue which, string description)
        => meter.CreateObservableGauge(name, () => Collect<double>((w, into) => w.ObserveLayers(which, into)), unit, description);

    private static void Global(Meter meter, string name, string unit, GlobalValue which, string description)
        => meter.CreateObservableGauge(name, () => Collect<double>((w, into) => w.ObserveGlobal(which, into)), unit, description);

    private static void Counter(Meter meter, string name, string unit, CounterValue which, string description)
        => meter.CreateObservableCounter(name, () => Collect<long>((w, into) => w.ObserveCounters(which, into)), unit, description);

    private static void Recent(Meter meter, string name, string unit, CounterValue which, string description)
        => meter.CreateObservableGauge(name, () => Collect<long>((w, into) => w.ObserveCounters(which, into)), unit, description);

    private static IEnumerable<Measurement<long>> ObserveLayerNonFinite()
        => Collect<long>((w, into) => w.ObserveLayerNonFinite(into));

    private static List<Measurement<T>> Collect<T>(Action<GradientWatchMetrics, List<Measurement<T>>> observe)
        where T : struct
    {
        var into = new List<Measurement<T>>();
        foreach (var w in Volatile.Read(ref watchers))
        {
            try
            {
                observe(w, into);
            }
            catch (Exception)
            {
                // A failing watcher must not break collection for the others.
            }
        }

        return into;
    }
}
