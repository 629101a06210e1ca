using System.Runtime.InteropServices;
using GradientWatch.Statistics;

namespace GradientWatch.Capture;

/// <summary>What one chunk of a <see cref="TensorPass"/> computes.</summary>
internal enum PassOperation : byte
{
    /// <summary>Every statistic of the source.</summary>
    Full,

    /// <summary>Every statistic of the source and its binary-exponent histogram (see <see cref="ExponentHistogram"/>).</summary>
    FullWithHistogram,

    /// <summary>Σx², max |x| and NaN/Inf counts of the source.</summary>
    Norm,

    /// <summary>Plain Σx of the source, in <see cref="GradientMoments.Sum"/>: the read-once floor the benchmark compares against.</summary>
    Sum,

    /// <summary>Copy the source into the target (the weight snapshot before the optimizer step); no statistics.</summary>
    Copy,

    /// <summary>Copy the sampled blocks of the source, compactly, into the target; no statistics.</summary>
    SampledCopy,

    /// <summary>Σx², max |x|, NaN/Inf of the source, and Σ(source − target)² in <see cref="GradientMoments.DistanceSquared"/>, in one read.</summary>
    NormAndDistance,

    /// <summary>As <see cref="NormAndDistance"/>, with the distance over the sampled blocks against a compact target.</summary>
    NormAndSampledDistance,
}

/// <summary>
/// Runs fused reductions over raw CPU tensor memory, split into chunks that run in parallel
/// when there is enough work. Chunk results are merged per tensor in a fixed order, so the
/// totals are bit-for-bit the same whatever the thread count.
/// </summary>
/// <remarks>
/// The parallel path claims chunks with one atomic counter: the calling thread works too, and up to
/// <c>maxDegreeOfParallelism − 1</c> thread-pool helpers join when they get a core. A helper that starts
/// after every chunk is claimed leaves at once, so a busy pool never delays the step, and nothing waits
/// on a helper that has not claimed work. One small job object is allocated per parallel run.
/// </remarks>
internal sealed unsafe class TensorPass
{
    /// <summary>Elements per chunk: large enough to amortise scheduling, small enough to balance two to sixteen cores.</summary>
    internal const int ChunkElements = 1 << 16;

    /// <summary>Below this many elements in total the pass runs on the calling thread.</summary>
    internal const long ParallelThreshold = 1 << 18;

    private Chunk[] chunks = new Chunk[64];
    private GradientMoments[] results = new GradientMoments[64];
    private long[] histograms = Array.Empty<long>();
    private int count;
    private bool anyHistogram;
    private long totalElements;

    /// <summary>Number of chunks queued.</summary>
    internal int ChunkCount => count;

    /// <summary>Whether the last <see cref="Run"/> used helper threads (for tests).</summary>
    internal bool LastRunParallel { get; private set; }

    /// <summary>Removes all queued work.</summary>
    public void Clear()
    {
        count = 0;
        totalElements = 0;
        anyHistogram = false;
    }

    /// <summary>Queues a reduction over <paramref name="length"/> elements at <paramref name="source"/>.</summary>
    public void Add(int slot, PassOperation operation, IntPtr source, IntPtr target, long length, bool isDouble)
    {
        int elementSize = isDouble ? sizeof(double) : sizeof(float);
        for (long offset = 0; offset < length; offset += ChunkElements)
        {
            int n = (int)Math.Min(ChunkElements, length - offset);
            if (count == chunks.Length)
            {
                Array.Resize(ref chunks, count * 2);
            }

            // Sampled operations keep a compact target: chunk offsets are multiples of the sampling period, so the
            // chunk's sampled blocks start at offset / Stride in the target.
            long targetOffset = operation is PassOperation.SampledCopy or PassOperation.NormAndSampledDistance ? offset / UpdateSampling.Stride : offset;
            chunks[count++] = new Chunk(slot, operation, isDouble, source + (nint)(offset * elementSize), target == IntPtr.Zero ? IntPtr.Zero : target + (nint)(targetOffset * elementSize), n);
        }

        totalElements += length;
        anyHistogram |= operation == PassOperation.FullWithHistogram;
    }

    /// <summary>
    /// Runs the queued work and adds each chunk's result into <paramref name="slots"/>[chunk slot], and the histograms of
    /// <see cref="PassOperation.FullWithHistogram"/> chunks into <paramref name="slotHistograms"/> (<see cref="ExponentHistogram.Length"/> per slot).
    /// </summary>
    public void Run(Span<GradientMoments> slots, int maxDegreeOfParallelism, Span<long> slotHistograms = default)
    {
        if (results.Length < count)
        {
            results = new GradientMoments[Math.Max(count, results.Length * 2)];
        }

        if (anyHistogram)
        {
            if (slotHistograms.IsEmpty)
            {
                throw new ArgumentException("Histogram chunks need histogram slots.", nameof(slotHistograms));
            }

            int needed = count * ExponentHistogram.Length;
            if (histograms.Length < needed)
            {
                histograms = new long[Math.Max(needed, histograms.Length * 2)];
            }

            Array.Clear(histograms, 0, needed);
        }

        LastRunParallel = count > 1 && maxDegreeOfParallelism > 1 && totalElements >= ParallelThreshold;
        if (LastRunParallel)
        {
            var job = new Job(chunks, results, histograms, count);
            int helpers = Math.Min(maxDegreeOfParallelism, count) - 1;
            for (int h = 0; h < helpers; h++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
            }

            job.Work();
            job.WaitForAll();
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                results[i] = Execute(chunks[i], ChunkHistogram(histograms, chunks[i], i));
            }
        }

        for (int i = 0; i < count; i++)
        {
            slots[chunks[i].Slot].Add(results[i]);
            if (chunks[i].Operation == PassOperation.FullWithHistogram)
            {
                var source = histograms.AsSpan(i * ExponentHistogram.Length, ExponentHistogram.Length);
                var target = slotHistograms.Slice(chunks[i].Slot * ExponentHistogram.Length, ExponentHistogram.Length);
                for (int k = 0; k < source.Length; k++)
                {
                    target[k] += source[k];
                }
            }
        }
    }

    private static Span<long> ChunkHistogram(long[] histograms, in Chunk c, int index)
        => c.Operation == PassOperation.FullWithHistogram ? histograms.AsSpan(index * ExponentHistogram.Length, ExponentHistogram.Length) : default;

    private static GradientMoments Execute(in Chunk c, Span<long> histogram)
        => c.IsDouble ? Execute<double, DoubleKernels>(c, histogram) : Execute<float, FloatKernels>(c, histogram);

    private static GradientMoments Execute<T, TKernels>(in Chunk c, Span<long> histogram)
        where T : unmanaged
        where TKernels : IKernels<T>
    {
        var src = new ReadOnlySpan<T>((void*)c.Source, c.Length);
        switch (c.Operation)
        {
            case PassOperation.Full:
                return TKernels.Full(src);
            case PassOperation.FullWithHistogram:
                return TKernels.Full(src, histogram);
            case PassOperation.Norm:
                return TKernels.Norm(src);
            case PassOperation.Sum:
                return new GradientMoments { Count = c.Length, Sum = TKernels.Sum(src) };
            case PassOperation.Copy:
                src.CopyTo(new Span<T>((void*)c.Target, c.Length));
                return default;
            case PassOperation.SampledCopy:
                UpdateSampling.Copy(src, new Span<T>((void*)c.Target, UpdateSampling.SampledLength(c.Length)));
                return default;
            case PassOperation.NormAndDistance:
            {
                var m = TKernels.Norm(src);
                m.DistanceSquared = TKernels.Distance(src, new ReadOnlySpan<T>((void*)c.Target, c.Length));
                m.DistanceCount = c.Length;
                return m;
            }

            default:
            {
                var m = TKernels.Norm(src);
                int sampled = UpdateSampling.SampledLength(c.Length);
                m.DistanceSquared = TKernels.SampledDistance(src, new ReadOnlySpan<T>((void*)c.Target, sampled));
                m.DistanceCount = sampled;
                return m;
            }
        }
    }

    /// <summary>The fused kernels of one element type, so that <see cref="Execute{T, TKernels}"/> is written once.</summary>
    private interface IKernels<T>
        where T : unmanaged
    {
        static abstract GradientMoments Full(ReadOnlySpan<T> data);

        static abstract GradientMoments Full(ReadOnlySpan<T> data, Span<long> histogram);

        static abstract GradientMoments Norm(ReadOnlySpan<T> data);

        static abstract double Sum(ReadOnlySpan<T> data);

        static abstract double Distance(ReadOnlySpan<T> a, ReadOnlySpan<T> b);

        static abstract double SampledDistance(ReadOnlySpan<T> source, ReadOnlySpan<T> compact);
    }

    private readonly struct FloatKernels : IKernels<float>
    {
        public static GradientMoments Full(ReadOnlySpan<float> data) => FusedReduction.Full(data);

        public static GradientMoments Full(ReadOnlySpan<float> data, Span<long> histogram) => FusedReduction.Full(data, histogram);

        public static GradientMoments Norm(ReadOnlySpan<float> data) => FusedReduction.NormOnly(data);

        public static double Sum(ReadOnlySpan<float> data) => FusedReduction.Sum(data);

        public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => FusedReduction.SquaredDistance(a, b);

        public static double SampledDistance(ReadOnlySpan<float> source, ReadOnlySpan<float> compact) => UpdateSampling.SquaredDistance(source, compact);
    }

    private readonly struct DoubleKernels : IKernels<double>
    {
        public static GradientMoments Full(ReadOnlySpan<double> data) => FusedReduction.Full(data);

        public static GradientMoments Full(ReadOnlySpan<double> data, Span<long> histogram) => FusedReduction.Full(data, histogram);

        public static GradientMoments Norm(ReadOnlySpan<double> data) => FusedReduction.NormOnly(data);

        public static double Sum(ReadOnlySpan<double> data) => FusedReduction.Sum(data);

        public static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => FusedReduction.SquaredDistance(a, b);

        public static double SampledDistance(ReadOnlySpan<double> source, ReadOnlySpan<double> compact) => UpdateSampling.SquaredDistance(source, compact);
    }

    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Chunk(int Slot, PassOperation Operation, bool IsDouble, IntPtr Source, IntPtr Target, int Length);

    /// <summary>One parallel run: chunks are claimed with an atomic counter by the caller and any helper that starts in time.</summary>
    private sealed class Job : IThreadPoolWorkItem
    {
        private readonly Chunk[] chunks;
        private readonly GradientMoments[] results;
        private readonly long[] histograms;
        private readonly int count;
        private int next = -1;
        private int completed;
        private Exception? failure;

        public Job(Chunk[] chunks, GradientMoments[] results, long[] histograms, int count)
        {
            this.chunks = chunks;
            this.results = results;
            this.histograms = histograms;
            this.count = count;
        }

        public void Execute() => Work();

        public void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    results[i] = TensorPass.Execute(chunks[i], ChunkHistogram(histograms, chunks[i], i));
                }
                catch (Exception ex)
                {
                    failure ??= ex;
                }

                Interlocked.Increment(ref completed);
            }
        }

        /// <summary>Waits until every claimed chunk is done; chunks are short, so this spins and yields, never sleeps.</summary>
        public void WaitForAll()
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref completed) < count)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            if (failure is { } ex)
            {
                throw new InvalidOperationException("A gradient statistics chunk failed.", ex);
            }
        }
    }
}
