using GradientWatch.Benchmarks.Models;
using GradientWatch.Capture;
using GradientWatch.Statistics;
using TorchSharp;

namespace GradientWatch.Benchmarks;

/// <summary>Result of timing the statistics alone on one model's real gradients.</summary>
internal sealed record StatisticsResult(
    string Model,
    long Parameters,
    int Tensors,
    int Rounds,
    IReadOnlyDictionary<string, double> MedianMs,
    IReadOnlyDictionary<string, double> RatioToTorchFloor,
    IReadOnlyDictionary<string, double> RatioToFusedFloor,
    double HistogramRatio);

/// <summary>
/// Times every way of reading the statistics of the same gradients (those of one real backward pass),
/// interleaved round by round. Each sample is the mean of enough calls to take a few milliseconds.
/// </summary>
internal static class StatisticsBenchmark
{
    public const string FloorTorch = "floor: torch.sum per tensor";
    public const string FloorFused = "floor: fused C# sum";
    public const string GwFull = "GradientWatch full statistics";
    public const string GwFullHistogram = "GradientWatch full statistics + histogram";
    public const string GwFullOneThread = "GradientWatch full statistics, 1 thread";
    public const string GwNorm = "GradientWatch norms only (default step)";
    public const string GwFullClip = "GradientWatch full statistics + clip";
    public const string GwWeights = "GradientWatch weight snapshot before the step (full steps)";
    public const string GwUpdate = "GradientWatch weight norms + update distance after the step (full steps)";
    public const string NativeClip = "native clip_grad_norm_";
    public const string TorchOps = "torch-op reductions";
    public const string Naive = "naive: .item() per statistic";

    public static readonly string[] Methods = { FloorTorch, FloorFused, GwFull, GwFullHistogram, GwFullOneThread, GwNorm, GwFullClip, GwWeights, GwUpdate, NativeClip, TorchOps, Naive };

    public static StatisticsResult Run(Workload workload, int rounds, double targetSampleMs = 4)
    {
        workload.ForwardBackward();
        var parameters = workload.Parameters;
        int threads = Environment.ProcessorCount;
        var map = LayerMap.Build(workload.Module, LayerGrouping.OwningModule, 1);
        using var capture = new GradientCapture(map, threads);
        using var oneThread = new GradientCapture(map, 1);
        using var torchOps = new GradientCapture(map, threads) { ForceTorchOps = true };
        var editor = new TorchGradientEditor(map, capture, workload.Optimizer);
        var pass = new TensorPass();
        var slots = new GradientMoments[parameters.Count];

        // Both clipping variants really clip: the limit sits just under the current norm, so every call scales every
        // gradient (by about 1 − 1e-6, which leaves the data essentially unchanged across calls).
        double norm = StatisticsPaths.NativeClip(parameters, 1e30);
        double clipTo = norm * (1 - 1e-9);

        void Measure(GradientCapture c, bool full, bool histogram = false)
        {
            using var scope = torch.NewDisposeScope();
            c.MeasureGradients(full, histogram);
        }

        var methods = new[]
        {
            new Timed(FloorTorch, () => StatisticsPaths.TorchSumFloor(parameters)),
            new Timed(FloorFused, () => StatisticsPaths.FusedSumFloor(parameters, pass, slots, threads)),
            new Timed(GwFull, () => Measure(capture, full: true)),
            new Timed(GwFullHistogram, () => Measure(capture, full: true, histogram: true)),
            new Timed(GwFullOneThread, () => Measure(oneThread, full: true)),
            new Timed(GwNorm, () => Measure(capture, full: false)),
            new Timed(GwFullClip, () =>
            {
                // What the watcher does for full statistics + ClipGlobalNorm: measure, then scale by the measured norm.
                using var scope = torch.NewDisposeScope();
                capture.MeasureGradients(full: true);
                double sq = 0;
                foreach (ref readonly var g in capture.Gradients)
                {
                    sq += g.SumOfSquares;
                }

                double n = Math.Sqrt(sq);
                editor.Reset(n);
                editor.ScaleAll(Math.Min(1.0, clipTo / (n + 1e-6)));
            }),
            new Timed(GwWeights, () =>
            {
                using var scope = torch.NewDisposeScope();
                capture.SnapshotWeights();
            }),
            new Timed(GwUpdate, () =>
            {
                using var scope = torch.NewDisposeScope();
                capture.MeasureWeights(withUpdate: true);
            }),
            new Timed(NativeClip, () => StatisticsPaths.NativeClip(parameters, clipTo)),
            new Timed(TorchOps, () => Measure(torchOps, full: true)),
            new Timed(Naive, () => StatisticsPaths.Naive(parameters)),
        };

        // Warm up (JIT tiers, allocator) and size each method's sample.
        var calibrated = new List<Timed>();
        foreach (var m in methods)
        {
            for (int i = 0; i < 3; i++)
            {
                m.Body();
            }

            var once = Interleaved.Run(new[] { m }, warmupCalls: 0, rounds: 3, callsPerSample: 1);
            int calls = (int)Math.Clamp(Math.Ceiling(targetSampleMs / Math.Max(1e-3, once.Median(m.Key))), 1, 200);
            calibrated.Add(new Timed(m.Key, () =>
            {
                for (int i = 0; i < calls; i++)
                {
                    m.Body();
                }
            }) { Calls = calls });
        }

        GC.Collect();
        var samples = Interleaved.Run(calibrated, warmupCalls: 1, rounds, callsPerSample: 1);
        var perCall = calibrated.ToDictionary(m => m.Key, m => samples.Median(m.Key) / m.Calls);
        return new StatisticsResult(
            workload.Name,
            workload.ParameterCount,
            workload.TensorCount,
            rounds,
            perCall,
            calibrated.ToDictionary(m => m.Key, m => samples.PairedRatio(m.Key, FloorTorch) * calibrated.First(c => c.Key == FloorTorch).Calls / m.Calls),
            calibrated.ToDictionary(m => m.Key, m => samples.PairedRatio(m.Key, FloorFused) * calibrated.First(c => c.Key == FloorFused).Calls / m.Calls),
            samples.PairedRatio(GwFullHistogram, GwFull) * calibrated.First(c => c.Key == GwFull).Calls / calibrated.First(c => c.Key == GwFullHistogram).Calls);
    }
}
