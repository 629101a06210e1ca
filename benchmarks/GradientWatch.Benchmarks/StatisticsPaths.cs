using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GradientWatch.Capture;
using GradientWatch.Statistics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Benchmarks;

/// <summary>One tensor's statistics as read back by the naive implementation.</summary>
internal readonly record struct NaiveStatistics(long Count, double Norm, double MaxAbs, double Mean, double StandardDeviation, long ZeroCount, long NanCount, long InfCount);

/// <summary>
/// The reductions the benchmark compares GradientWatch against. Each reads the current gradients of
/// <c>parameters</c>; none of them changes a gradient except <see cref="NativeClip"/>.
/// </summary>
internal static unsafe class StatisticsPaths
{
    /// <summary>The read-once floor as the issue defines it: <c>torch.sum</c> of every gradient tensor, one host read.</summary>
    public static double TorchSumFloor(IReadOnlyList<Parameter> parameters)
    {
        using var scope = torch.NewDisposeScope();
        var sums = new List<Tensor>(parameters.Count);
        foreach (var p in parameters)
        {
            if (p.grad is { } g)
            {
                sums.Add(g.sum());
            }
        }

        return sums.Count == 0 ? 0 : torch.stack(sums).sum().to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>
    /// The read-once floor in C#: one plain vectorized sum over every gradient's memory, run through the same
    /// chunked parallel <see cref="TensorPass"/> as GradientWatch's statistics, so the two differ only in the kernel.
    /// </summary>
    public static double FusedSumFloor(IReadOnlyList<Parameter> parameters, TensorPass pass, GradientMoments[] slots, int maxDegreeOfParallelism)
    {
        using var scope = torch.NewDisposeScope();
        pass.Clear();
        Array.Clear(slots);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].grad is not { } g || g.numel() == 0)
            {
                continue;
            }

            if (g.device_type != DeviceType.CPU || !g.is_contiguous() || (g.dtype != ScalarType.Float32 && g.dtype != ScalarType.Float64))
            {
                throw new NotSupportedException("The fused floor reads contiguous CPU float32/float64 gradients only.");
            }

            var bytes = g.bytes;
            pass.Add(i, PassOperation.Sum, (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes)), IntPtr.Zero, g.numel(), g.dtype == ScalarType.Float64);
        }

        pass.Run(slots, maxDegreeOfParallelism);
        double total = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            total += slots[i].Sum;
        }

        return total;
    }

    /// <summary>libtorch's native <c>clip_grad_norm_</c>; returns the total norm before clipping (one host read).</summary>
    public static double NativeClip(IReadOnlyList<Parameter> parameters, double maxNorm)
        => torch.nn.utils.clip_grad_norm_(parameters, maxNorm);

    /// <summary>
    /// The naive implementation: for each parameter, each statistic is its own torch reduction read back to
    /// the host with <c>.item()</c> (seven reads per tensor), the way a quick hand-written watcher would do it.
    /// </summary>
    public static NaiveStatistics[] Naive(IReadOnlyList<Parameter> parameters)
    {
        var result = new NaiveStatistics[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            using var scope = torch.NewDisposeScope();
            if (parameters[i].grad is not { } g)
            {
                continue;
            }

            result[i] = new NaiveStatistics(
                g.numel(),
                g.norm().item<float>(),
                g.abs().max().item<float>(),
                g.mean().item<float>(),
                g.std(unbiased: false).item<float>(),
                g.eq(0).sum().item<long>(),
                g.isnan().sum().item<long>(),
                g.isinf().sum().item<long>());
        }

        return result;
    }
}
