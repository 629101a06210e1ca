using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using GradientWatch.Statistics;

namespace GradientWatch.Capture;

/// <summary>
/// The fixed block sample used to measure ‖Δw‖ of large tensors cheaply: one block of <see cref="Block"/> contiguous
/// elements out of every <see cref="Stride"/>, so the weight copy before the optimizer step and the difference after
/// it touch an eighth of the memory. The same elements are compared before and after the step, and Σ(Δw)² is scaled
/// by the sampled fraction. Which block of each period is taken is scrambled by a hash of the period's index, so the
/// sample does not line up with the rows of a matrix whose row length is a multiple of the period (which would
/// sample the same columns of every row). Tensors up to <see cref="ExactUpTo"/> elements are measured exactly.
/// </summary>
internal static class UpdateSampling
{
    /// <summary>Elements per sampled block (four cache lines of float32).</summary>
    public const int Block = 64;

    /// <summary>One block in this many is sampled.</summary>
    public const int Stride = 8;

    /// <summary>Tensors with at most this many elements are measured exactly.</summary>
    public const long ExactUpTo = 1 << 16;

    /// <summary>Elements per period: one sampled block in <see cref="Stride"/>.</summary>
    public const int Period = Block * Stride;

    /// <summary>Elements of the sample taken from <paramref name="length"/> elements (chunk-relative, as the passes use it).</summary>
    public static int SampledLength(long length)
    {
        int total = 0;
        for (long p = 0; p * Period < length; p++)
        {
            total += SampledBlock((int)p, length).Length;
        }

        return total;
    }

    /// <summary>Start (relative to the period) and length of the block sampled in period <paramref name="period"/>.</summary>
    public static (int Start, int Length) SampledBlock(int period, long length)
    {
        // Fibonacci hashing of the period index picks one of the Stride blocks.
        int block = (int)(((uint)period * 2654435769u) >> 29);
        long start = ((long)period * Period) + (block * Block);
        if (start >= length)
        {
            // The last, partial period: take its first block instead, so short tails are still sampled.
            start = (long)period * Period;
            block = 0;
        }

        return (block * Block, (int)Math.Min(Block, length - start));
    }

    /// <summary>Periods ahead whose sampled block <see cref="Copy{T}"/> asks the cache for (32 KB of float32).</summary>
    private const int PrefetchPeriods = 16;

    /// <summary>
    /// Copies the sampled blocks of <paramref name="source"/> next to each other into <paramref name="target"/>. The blocks
    /// sit at scrambled places in memory that has usually left the cache since the backward pass, so each one is fetched
    /// <see cref="PrefetchPeriods"/> periods ahead (the hardware prefetchers do not follow the scrambled pattern).
    /// </summary>
    public static unsafe void Copy<T>(ReadOnlySpan<T> source, Span<T> target)
    {
        int t = 0;
        ref byte origin = ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(source));
        for (int p = 0; p * Period < source.Length; p++)
        {
            if (Sse.IsSupported && (long)(p + PrefetchPeriods + 1) * Period <= source.Length)
            {
                int ahead = p + PrefetchPeriods;
                byte* block = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref origin, (nint)((((long)ahead * Period) + SampledBlock(ahead, source.Length).Start) * Unsafe.SizeOf<T>())));
                for (int line = 0; line < Block * Unsafe.SizeOf<T>(); line += 64)
                {
                    Sse.Prefetch0(block + line);
                }
            }

            var (start, n) = SampledBlock(p, source.Length);
            source.Slice((p * Period) + start, n).CopyTo(target.Slice(t, n));
            t += n;
        }
    }

    /// <summary>Σ(source − target)² over the sampled blocks of <paramref name="source"/> against the compact <paramref name="target"/>.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> source, ReadOnlySpan<float> target)
    {
        double total = 0;
        int t = 0;
        for (int p = 0; p * Period < source.Length; p++)
        {
            var (start, n) = SampledBlock(p, source.Length);
            total += BlockDistance(source.Slice((p * Period) + start, n), target.Slice(t, n));
            t += n;
        }

        return total;
    }

    /// <summary>
    /// Σ(a−b)² of one block of at most <see cref="Block"/> elements: vectorized in float, re-read in double when the
    /// float sum could have overflowed or lost its small values.
    /// </summary>
    private static double BlockDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && a.Length == Block && Block % (2 * width) == 0)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            Vector<float> acc0 = default, acc1 = default;
            for (int k = 0; k < Block; k += 2 * width)
            {
                var d0 = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref ra, k))) - Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref rb, k)));
                var d1 = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref ra, k + width))) - Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref rb, k + width)));
                acc0 += d0 * d0;
                acc1 += d1 * d1;
            }

            double sum = Vector.Sum(acc0 + acc1);
            if (float.IsFinite((float)sum) && (sum >= 1e-30 || sum == 0))
            {
                return sum;
            }
        }

        double total = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double d = (double)a[k] - b[k];
            total += d * d;
        }

        return total;
    }

    /// <summary>Σ(source − target)² over the sampled blocks, float64.</summary>
    public static double SquaredDistance(ReadOnlySpan<double> source, ReadOnlySpan<double> target)
    {
        double total = 0;
        int t = 0;
        for (int p = 0; p * Period < source.Length; p++)
        {
            var (start, n) = SampledBlock(p, source.Length);
            total += FusedReduction.SquaredDistance(source.Slice((p * Period) + start, n), target.Slice(t, n));
            t += n;
        }

        return total;
    }
}
