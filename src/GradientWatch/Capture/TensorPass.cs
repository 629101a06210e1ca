using System.Runtime.InteropServices;
using GradientWatch.Statistics;

namespace GradientWatch.Capture;

/// <summary>What one chunk of a <see cref="TensorPass"/> computes.</summary>
internal enum PassOperation : byte
{
    /// <summary>Every statistic of the source.</summary>
    Full,

    /// <summary>Σx², max |x| and NaN/Inf counts of the source.</summary>
    Norm,

    /// <summary>Copy the source into the target buffer and return Σx² of the source.</summary>
    CopyAndNorm,

    /// <summary>Σ(source − target)², in <see cref="GradientMoments.SumOfSquares"/>.</summary>
    Distance,

    /// <summary>Plain Σx of the source, in <see cref="GradientMoments.Sum"/>: the read-once floor the benchmark compares against.</summary>
    Sum,
}

/// <summary>
/// Runs fused reductions over raw CPU tensor memory, split into chunks that run in parallel
/// when there is enough work. Chunk results are merged per tensor in a fixed order, so the
/// totals are deterministic whatever the thread count.
/// </summary>
internal sealed unsafe class TensorPass
{
    /// <summary>Elements per chunk: large enough to amortise scheduling, small enough to balance two to sixteen cores.</summary>
    internal const int ChunkElements = 1 << 16;

    /// <summary>Below this many elements in total the pass runs on the calling thread.</summary>
    internal const long ParallelThreshold = 1 << 18;

    private readonly List<Chunk> chunks = new();
    private GradientMoments[] results = new GradientMoments[64];
    private long totalElements;

    /// <summary>Removes all queued work.</summary>
    public void Clear()
    {
        chunks.Clear();
        totalElements = 0;
    }

    /// <summary>Queues a reduction over <paramref name="length"/> elements at <paramref name="source"/>.</summary>
    public void Add(int slot, PassOperation operation, IntPtr source, IntPtr target, long length, bool isDouble)
    {
        int elementSize = isDouble ? sizeof(double) : sizeof(float);
        for (long offset = 0; offset < length; offset += ChunkElements)
        {
            int n = (int)Math.Min(ChunkElements, length - offset);
            chunks.Add(new Chunk(slot, operation, isDouble, source + (nint)(offset * elementSize), target == IntPtr.Zero ? IntPtr.Zero : target + (nint)(offset * elementSize), n));
        }

        totalElements += length;
    }

    /// <summary>Runs the queued work and adds each chunk's result into <paramref name="slots"/>[chunk slot].</summary>
    public void Run(Span<GradientMoments> slots, int maxDegreeOfParallelism)
    {
        int count = chunks.Count;
        if (results.Length < count)
        {
            results = new GradientMoments[Math.Max(count, results.Length * 2)];
        }

        if (count > 1 && maxDegreeOfParallelism > 1 && totalElements >= ParallelThreshold)
        {
            var local = results;
            var work = chunks;
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i => local[i] = Execute(work[i]));
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                results[i] = Execute(chunks[i]);
            }
        }

        for (int i = 0; i < count; i++)
        {
            slots[chunks[i].Slot].Add(results[i]);
        }
    }

    private static GradientMoments Execute(in Chunk c)
    {
        if (c.IsDouble)
        {
            var src = new ReadOnlySpan<double>((void*)c.Source, c.Length);
            switch (c.Operation)
            {
                case PassOperation.Full:
                    return FusedReduction.Full(src);
                case PassOperation.Norm:
                    return FusedReduction.NormOnly(src);
                case PassOperation.CopyAndNorm:
                    return FusedReduction.CopyAndNormOnly(src, new Span<double>((void*)c.Target, c.Length));
                case PassOperation.Sum:
                    return new GradientMoments { Count = c.Length, Sum = FusedReduction.Sum(src) };
                default:
                    return new GradientMoments { Count = c.Length, NormOnly = true, SumOfSquares = FusedReduction.SquaredDistance(src, new ReadOnlySpan<double>((void*)c.Target, c.Length)) };
            }
        }
        else
        {
            var src = new ReadOnlySpan<float>((void*)c.Source, c.Length);
            switch (c.Operation)
            {
                case PassOperation.Full:
                    return FusedReduction.Full(src);
                case PassOperation.Norm:
                    return FusedReduction.NormOnly(src);
                case PassOperation.CopyAndNorm:
                    return FusedReduction.CopyAndNormOnly(src, new Span<float>((void*)c.Target, c.Length));
                case PassOperation.Sum:
                    return new GradientMoments { Count = c.Length, Sum = FusedReduction.Sum(src) };
                default:
                    return new GradientMoments { Count = c.Length, NormOnly = true, SumOfSquares = FusedReduction.SquaredDistance(src, new ReadOnlySpan<float>((void*)c.Target, c.Length)) };
            }
        }
    }

    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Chunk(int Slot, PassOperation Operation, bool IsDouble, IntPtr Source, IntPtr Target, int Length);
}
