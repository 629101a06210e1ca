using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GradientWatch.Statistics;

/// <summary>
/// Single-pass, vectorized reductions over gradient memory. Each call reads the data once and
/// produces every statistic GradientWatch reports.
/// </summary>
/// <remarks>
/// <para>
/// float32 data is cut into blocks of <see cref="AccumulatorLanes"/> × 32 vectors. Inside a block, four
/// independent accumulators per statistic (so the adds pipeline instead of waiting on each other) sum
/// 32 values per lane in float32; at the end of the block the lanes are widened into double-precision
/// totals. Max |x| and the zero count are integer operations on the bit patterns (for a non-negative
/// float the bit pattern orders like an integer), which are exact and one instruction each.
/// </para>
/// <para>
/// A block is accepted from the float32 accumulators only when its max |x| lies in
/// [<see cref="FloatSafeMin"/>, <see cref="FloatSafeMax"/>] (or the block is all zeros): squares then stay
/// normal floats, sums cannot overflow, and the few elements whose square would be subnormal contribute
/// far less than 1e-10 of the block's sum of squares. NaN and Inf have the largest bit patterns, so the
/// same range check catches them. A block outside the range is re-read: in double precision, vectorized,
/// when it is finite; element by element, counting NaN and Inf exactly, when it is not. The results therefore
/// match a double-precision reference to about 1e-6 relative whatever the data.
/// </para>
/// <para>
/// The vector width is the widest the hardware accelerates (512-bit on AVX-512, else <see cref="Vector{T}"/>);
/// the results do not depend on it beyond float rounding. Tests pass an explicit width to compare them.
/// </para>
/// </remarks>
internal static class FusedReduction
{
    /// <summary>Values summed per lane of one accumulator in float32 before the block is folded into double.</summary>
    private const int VectorsPerAccumulator = 32;

    /// <summary>Independent accumulators per statistic.</summary>
    private const int AccumulatorLanes = 4;

    /// <summary>Vectors per block.</summary>
    private const int BlockVectors = VectorsPerAccumulator * AccumulatorLanes;

    private const float FloatSafeMin = 1e-15f;
    private const float FloatSafeMax = 1e18f;
    private const double DoubleSafeMin = 1e-140;
    private const double DoubleSafeMax = 1e140;

    private const int AbsMask = 0x7FFF_FFFF;
    private static readonly int SafeMinBits = BitConverter.SingleToInt32Bits(FloatSafeMin);
    private static readonly int SafeMaxBits = BitConverter.SingleToInt32Bits(FloatSafeMax);
    private static readonly int InfinityBits = BitConverter.SingleToInt32Bits(float.PositiveInfinity);

    /// <summary>Widest vector the float32 kernels use on this machine, in bits: 512 on AVX-512, else the <see cref="Vector{T}"/> width, 0 without SIMD.</summary>
    internal static readonly int VectorBits = Vector512.IsHardwareAccelerated ? 512 : Vector.IsHardwareAccelerated ? Vector<byte>.Count * 8 : 0;

    /// <summary>All statistics in one pass over <paramref name="data"/>.</summary>
    public static GradientMoments Full(ReadOnlySpan<float> data) => ReduceFloat<FullMode>(data, VectorBits, default);

    /// <summary>
    /// All statistics and the binary-exponent histogram of |x| (added into <paramref name="histogram"/>, laid out as
    /// <see cref="ExponentHistogram"/> describes) in one pass over <paramref name="data"/>: each block is counted while it is in L1.
    /// </summary>
    public static GradientMoments Full(ReadOnlySpan<float> data, Span<long> histogram) => ReduceFloat<FullMode>(data, VectorBits, histogram);

    /// <summary><see cref="Full(ReadOnlySpan{float}, Span{long})"/> with vectors of at most <paramref name="maxVectorBits"/> bits.</summary>
    internal static GradientMoments Full(ReadOnlySpan<float> data, Span<long> histogram, int maxVectorBits) => ReduceFloat<FullMode>(data, maxVectorBits, histogram);

    /// <summary>All statistics and the binary-exponent histogram of |x| in one pass over <paramref name="data"/>.</summary>
    public static GradientMoments Full(ReadOnlySpan<double> data, Span<long> histogram) => Reduce(data, full: true, histogram);

    /// <summary>Sum of squares, max |x| and exact NaN/Inf counts in one pass (no sum, no zero count).</summary>
    public static GradientMoments NormOnly(ReadOnlySpan<float> data) => ReduceFloat<NormMode>(data, VectorBits, default);

    /// <summary><see cref="Full(ReadOnlySpan{float})"/> with vectors of at most <paramref name="maxVectorBits"/> bits (tests compare widths).</summary>
    internal static GradientMoments Full(ReadOnlySpan<float> data, int maxVectorBits) => ReduceFloat<FullMode>(data, maxVectorBits, default);

    /// <summary><see cref="NormOnly(ReadOnlySpan{float})"/> with vectors of at most <paramref name="maxVectorBits"/> bits.</summary>
    internal static GradientMoments NormOnly(ReadOnlySpan<float> data, int maxVectorBits) => ReduceFloat<NormMode>(data, maxVectorBits, default);

    /// <summary>All statistics in one pass over <paramref name="data"/>.</summary>
    public static GradientMoments Full(ReadOnlySpan<double> data) => Reduce(data, full: true, default);

    /// <summary>Sum of squares, max |x| and exact NaN/Inf counts in one pass.</summary>
    public static GradientMoments NormOnly(ReadOnlySpan<double> data) => Reduce(data, full: false, default);

    private static GradientMoments ReduceFloat<TMode>(ReadOnlySpan<float> data, int bits, Span<long> histogram)
        where TMode : struct
    {
        var m = new GradientMoments { Count = data.Length, NormOnly = typeof(TMode) != typeof(FullMode) };
        Span<int> scratch = histogram.IsEmpty ? default : stackalloc int[ExponentHistogram.FloatScratch];
        int done = 0;
        if (!histogram.IsEmpty && bits >= 512 && Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            done = Blocks512Histogram(data, ref m, scratch, histogram);
        }
        else if (!histogram.IsEmpty && bits >= 256 && Vector<byte>.Count == Vector256<byte>.Count && Vector.IsHardwareAccelerated && Avx2.IsSupported)
        {
            done = BlocksVectorHistogram(data, ref m, scratch, histogram);
        }
        else if (!histogram.IsEmpty && bits >= 128 && Vector128.IsHardwareAccelerated)
        {
            done = Blocks128Histogram(data, ref m, scratch, histogram);
        }
        else if (bits >= 512 && Vector512.IsHardwareAccelerated)
        {
            done = Blocks512<TMode>(data, ref m);
        }
        else if (bits >= Vector<byte>.Count * 8 && Vector.IsHardwareAccelerated)
        {
            done = BlocksVector<TMode>(data, ref m);
        }

        if (done < data.Length)
        {
            ScalarFull(data[done..], ref m);
            if (!histogram.IsEmpty)
            {
                ExponentHistogram.CountFloat(data[done..], scratch, histogram);
            }
        }

        if (!histogram.IsEmpty)
        {
            ExponentHistogram.FoldFloat(scratch, m.NanCount, histogram);
        }

        return m;
    }

    /// <summary>Whole vectors of <paramref name="data"/> with <see cref="Vector{T}"/>; returns how many elements it covered.</summary>
    private static int BlocksVector<TMode>(ReadOnlySpan<float> data, ref GradientMoments m)
        where TMode : struct
    {
        bool full = typeof(TMode) == typeof(FullMode);
        int width = Vector<float>.Count;
        int end = data.Length - (data.Length % width);
        ref float src = ref MemoryMarshal.GetReference(data);
        var totals = default(TotalsVector);
        for (int i = 0; i < end; i += width * BlockVectors)
        {
            int n = Math.Min(width * BlockVectors, end - i);
            BlockVector<TMode>(ref Unsafe.Add(ref src, i), n, out var sum, out var sq, out var max, out var zeros);
            totals.Add(data.Slice(i, n), sum, sq, max, zeros, full, ref m);
        }

        totals.Fold(full, ref m);
        return end;
    }

    /// <summary>The double-precision totals of the <see cref="Vector{T}"/> kernels' blocks.</summary>
    private struct TotalsVector
    {
        private Vector<double> sum;
        private Vector<double> sq;
        private Vector<int> max;
        private Vector<int> zeros;

        /// <summary>
        /// Adds one block's float32 results when its max |x| lies in the range where they can be trusted; otherwise re-reads
        /// <paramref name="block"/> into <paramref name="m"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(ReadOnlySpan<float> block, Vector<float> blockSum, Vector<float> blockSq, Vector<int> blockMax, Vector<int> blockZeros, bool full, ref GradientMoments m)
        {
            bool inRange = Vector.LessThanOrEqualAll(blockMax, new Vector<int>(SafeMaxBits))
                && (Vector.GreaterThanOrEqualAny(blockMax, new Vector<int>(SafeMinBits)) || Vector.EqualsAll(blockMax, Vector<int>.Zero));
            if (!inRange)
            {
                Reread(block, Vector.GreaterThanOrEqualAny(blockMax, new Vector<int>(InfinityBits)), full, ref m);
                return;
            }

            Vector.Widen(blockSq, out var lo, out var hi);
            sq += lo + hi;
            max = Vector.Max(max, blockMax);
            if (full)
            {
                Vector.Widen(blockSum, out lo, out hi);
                sum += lo + hi;
                zeros += blockZeros;
            }
        }

        /// <summary>Adds the totals into <paramref name="m"/>.</summary>
        public readonly void Fold(bool full, ref GradientMoments m)
            => FusedReduction.Fold(Vector.Sum(sum), Vector.Sum(sq), MaxLane(max), Vector.Sum(zeros), full, ref m);
    }

    /// <summary>
    /// Whole groups of 32 elements of <paramref name="data"/> with 256-bit vectors (AVX2, where <see cref="Vector{T}"/> is
    /// 256 bits): every statistic and the exponent histogram in one read. The moments loop also takes each group's exponent
    /// bytes from the loaded vectors and leaves them, as window offsets, in a small buffer that the pair count then reads
    /// (see <see cref="ExponentHistogram.PairCounter"/>); sixteen vector registers do not hold both loops' counters.
    /// Returns how many elements it covered.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BlocksVectorHistogram(ReadOnlySpan<float> data, ref GradientMoments m, Span<int> scratch, Span<long> histogram)
    {
        const int group = 32;
        int end = data.Length - (data.Length % group);
        if (end == 0)
        {
            return 0;
        }

        ref float src = ref MemoryMarshal.GetReference(data);
        var totals = default(TotalsVector);
        Span<Vector256<byte>> offsets = stackalloc Vector256<byte>[ExponentHistogram.PairBlockGroups];
        var counter = new ExponentHistogram.PairCounter(scratch, stackalloc ulong[ExponentHistogram.PairBlockGroups], stackalloc ulong[ExponentHistogram.PairSums * 8], group);
        counter.Start(ref src, Math.Min(end, ExponentHistogram.PairBlockGroups * group));
        long zeros = 0;
        for (int i = 0; i < end; i += ExponentHistogram.PairBlockGroups * group)
        {
            int n = Math.Min(ExponentHistogram.PairBlockGroups * group, end - i);
            BlockVectorHistogram(ref Unsafe.Add(ref src, i), n, counter.Window, ref MemoryMarshal.GetReference(offsets), ref counter.Masks, out var sum, out var sq, out var max, out var z);
            counter.CountPairs(ref MemoryMarshal.GetReference(offsets), n / group);
            zeros += Vector.Sum(z);
            if (counter.EndBlock(ref Unsafe.Add(ref src, i), n / group))
            {
                counter.MoveWindow(MaxLane(max));
            }

            totals.Add(data.Slice(i, n), sum, sq, max, z, full: true, ref m);
        }

        totals.Fold(full: true, ref m);
        counter.Finish(data[..end], zeros, histogram);
        return end;
    }

    /// <summary>
    /// Whole groups of 16 elements of <paramref name="data"/> with 128-bit vectors (Arm64's width, and x86 without AVX2),
    /// written with the cross-platform <see cref="Vector128"/> operations only: every statistic and the exponent histogram
    /// in one read, as <see cref="BlocksVectorHistogram"/> does at 256 bits. Each block's moments are folded into
    /// <paramref name="m"/> in double. Returns how many elements it covered.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Blocks128Histogram(ReadOnlySpan<float> data, ref GradientMoments m, Span<int> scratch, Span<long> histogram)
    {
        const int group = 16;
        int end = data.Length - (data.Length % group);
        if (end == 0)
        {
            return 0;
        }

        ref float src = ref MemoryMarshal.GetReference(data);
        Span<Vector128<byte>> offsets = stackalloc Vector128<byte>[ExponentHistogram.PairBlockGroups];
        var counter = new ExponentHistogram.PairCounter(scratch, stackalloc ulong[ExponentHistogram.PairBlockGroups], stackalloc ulong[ExponentHistogram.PairSums * 8], group);
        counter.Start(ref src, Math.Min(end, ExponentHistogram.PairBlockGroups * group));
        long zeros = 0;
        for (int i = 0; i < end; i += ExponentHistogram.PairBlockGroups * group)
        {
            int n = Math.Min(ExponentHistogram.PairBlockGroups * group, end - i);
            BlockHistogram128(ref Unsafe.Add(ref src, i), n, counter.Window, ref MemoryMarshal.GetReference(offsets), ref counter.Masks, out var sum, out var sq, out var max, out var z);
            counter.CountPairs(ref MemoryMarshal.GetReference(offsets), n / group);
            long blockZeros = Vector128.Sum(z);
            zeros += blockZeros;
            int maxBits = Math.Max(Math.Max(max.GetElement(0), max.GetElement(1)), Math.Max(max.GetElement(2), max.GetElement(3)));
            if (counter.EndBlock(ref Unsafe.Add(ref src, i), n / group))
            {
                counter.MoveWindow(maxBits);
            }

            if (maxBits <= SafeMaxBits && (maxBits >= SafeMinBits || maxBits == 0))
            {
                Fold(Vector128.Sum(Vector128.WidenLower(sum) + Vector128.WidenUpper(sum)), Vector128.Sum(Vector128.WidenLower(sq) + Vector128.WidenUpper(sq)), maxBits, blockZeros, full: true, ref m);
            }
            else
            {
                Reread(data.Slice(i, n), maxBits >= InfinityBits, full: true, ref m);
            }
        }

        counter.Finish(data[..end], zeros, histogram);
        return end;
    }

    /// <summary>The moments of one block of 128-bit groups, and each group's window offsets and outside mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockHistogram128(ref float src, int n, byte window, ref Vector128<byte> offsets, ref ulong masks, out Vector128<float> sum, out Vector128<float> sq, out Vector128<int> max, out Vector128<int> zeros)
    {
        var absMask = Vector128.Create(AbsMask);
        var w = Vector128.Create(window);
        var zeroField = Vector128.Create((byte)(256 - window));
        Vector128<float> s0 = default, s1 = default, q0 = default, q1 = default;
        Vector128<int> m0 = default, z = default;
        for (int k = 0, g = 0; k < n; k += 16, g++)
        {
            var v0 = Load<Vector128<float>>(ref src, k);
            var v1 = Load<Vector128<float>>(ref src, k + 4);
            var v2 = Load<Vector128<float>>(ref src, k + 8);
            var v3 = Load<Vector128<float>>(ref src, k + 12);
            q0 += (v0 * v0) + (v2 * v2);
            q1 += (v1 * v1) + (v3 * v3);
            s0 += v0 + v2;
            s1 += v1 + v3;
            var a0 = v0.AsInt32() & absMask;
            var a1 = v1.AsInt32() & absMask;
            var a2 = v2.AsInt32() & absMask;
            var a3 = v3.AsInt32() & absMask;
            m0 = Vector128.Max(m0, Vector128.Max(Vector128.Max(a0, a1), Vector128.Max(a2, a3)));
            z += (Vector128.Equals(a0, Vector128<int>.Zero) + Vector128.Equals(a1, Vector128<int>.Zero)) + (Vector128.Equals(a2, Vector128<int>.Zero) + Vector128.Equals(a3, Vector128<int>.Zero));

            // The exponent bytes, in element order (|x| >> 23 fits in a byte, so the truncating narrows are exact).
            var e01 = Vector128.Narrow(Vector128.ShiftRightLogical(a0.AsUInt32(), 23), Vector128.ShiftRightLogical(a1.AsUInt32(), 23));
            var e23 = Vector128.Narrow(Vector128.ShiftRightLogical(a2.AsUInt32(), 23), Vector128.ShiftRightLogical(a3.AsUInt32(), 23));
            var d = Vector128.Narrow(e01, e23) - w;
            Unsafe.Add(ref offsets, g) = d;
            var inWindow = Vector128.Equals(Vector128.Min(d, Vector128.Create((byte)(ExponentHistogram.WindowExponents - 1))), d);
            Unsafe.Add(ref masks, g) = ~Vector128.ExtractMostSignificantBits(inWindow | Vector128.Equals(d, zeroField)) & 0xFFFFu;
        }

        sum = s0 + s1;
        sq = q0 + q1;
        max = m0;
        zeros = -z;
    }

    /// <summary>The moments of one block of 256-bit groups, and each group's window offsets and outside mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockVectorHistogram(ref float src, int n, byte window, ref Vector256<byte> offsets, ref ulong masks, out Vector<float> sum, out Vector<float> sq, out Vector<int> max, out Vector<int> zeros)
    {
        var absMask = new Vector<int>(AbsMask);
        var w = Vector256.Create(window);
        var zeroField = Vector256.Create((byte)(256 - window));
        Vector<float> s0 = default, s1 = default, q0 = default, q1 = default;
        Vector<int> m0 = default, z = default;
        for (int k = 0, g = 0; k < n; k += 32, g++)
        {
            var v0 = Load<Vector<float>>(ref src, k);
            var v1 = Load<Vector<float>>(ref src, k + 8);
            var v2 = Load<Vector<float>>(ref src, k + 16);
            var v3 = Load<Vector<float>>(ref src, k + 24);
            q0 += (v0 * v0) + (v2 * v2);
            q1 += (v1 * v1) + (v3 * v3);
            s0 += v0 + v2;
            s1 += v1 + v3;
            var a0 = Vector.AsVectorInt32(v0) & absMask;
            var a1 = Vector.AsVectorInt32(v1) & absMask;
            var a2 = Vector.AsVectorInt32(v2) & absMask;
            var a3 = Vector.AsVectorInt32(v3) & absMask;
            m0 = Vector.Max(m0, Vector.Max(Vector.Max(a0, a1), Vector.Max(a2, a3)));
            z += (Vector.Equals(a0, Vector<int>.Zero) + Vector.Equals(a1, Vector<int>.Zero)) + (Vector.Equals(a2, Vector<int>.Zero) + Vector.Equals(a3, Vector<int>.Zero));

            // The exponent bytes: |x| >> 23 fits in 16 bits and in 8, so neither pack saturates (the packs reorder the
            // elements within each 128-bit lane; counting does not care, and the one-by-one count undoes it).
            var w01 = Avx2.PackUnsignedSaturate(Avx2.ShiftRightLogical(a0.AsVector256(), 23), Avx2.ShiftRightLogical(a1.AsVector256(), 23));
            var w23 = Avx2.PackUnsignedSaturate(Avx2.ShiftRightLogical(a2.AsVector256(), 23), Avx2.ShiftRightLogical(a3.AsVector256(), 23));
            var d = Avx2.PackUnsignedSaturate(w01.AsInt16(), w23.AsInt16()) - w;
            Unsafe.Add(ref offsets, g) = d;
            var inWindow = Vector256.Equals(Vector256.Min(d, Vector256.Create((byte)(ExponentHistogram.WindowExponents - 1))), d);
            Unsafe.Add(ref masks, g) = ~Vector256.ExtractMostSignificantBits(inWindow | Vector256.Equals(d, zeroField));
        }

        sum = s0 + s1;
        sq = q0 + q1;
        max = m0;
        zeros = -z;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockVector<TMode>(ref float src, int n, out Vector<float> sum, out Vector<float> sq, out Vector<int> max, out Vector<int> zeros)
        where TMode : struct
    {
        bool full = typeof(TMode) == typeof(FullMode);
        int width = Vector<float>.Count;
        var absMask = new Vector<int>(AbsMask);
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector<float> q0 = default, q1 = default, q2 = default, q3 = default;
        Vector<int> m0 = default, m1 = default, z = default;
        int k = 0;
        for (; k + (4 * width) <= n; k += 4 * width)
        {
            var v0 = Load<Vector<float>>(ref src, k);
            var v1 = Load<Vector<float>>(ref src, k + width);
            var v2 = Load<Vector<float>>(ref src, k + (2 * width));
            var v3 = Load<Vector<float>>(ref src, k + (3 * width));

            q0 += v0 * v0;
            q1 += v1 * v1;
            q2 += v2 * v2;
            q3 += v3 * v3;
            var a0 = Vector.AsVectorInt32(v0) & absMask;
            var a1 = Vector.AsVectorInt32(v1) & absMask;
            var a2 = Vector.AsVectorInt32(v2) & absMask;
            var a3 = Vector.AsVectorInt32(v3) & absMask;
            m0 = Vector.Max(m0, Vector.Max(a0, a1));
            m1 = Vector.Max(m1, Vector.Max(a2, a3));
            if (full)
            {
                s0 += v0;
                s1 += v1;
                s2 += v2;
                s3 += v3;
                z += (Vector.Equals(a0, Vector<int>.Zero) + Vector.Equals(a1, Vector<int>.Zero)) + (Vector.Equals(a2, Vector<int>.Zero) + Vector.Equals(a3, Vector<int>.Zero));
            }
        }

        for (; k < n; k += width)
        {
            var v = Load<Vector<float>>(ref src, k);

            q0 += v * v;
            var a = Vector.AsVectorInt32(v) & absMask;
            m0 = Vector.Max(m0, a);
            if (full)
            {
                s0 += v;
                z += Vector.Equals(a, Vector<int>.Zero);
            }
        }

        sum = (s0 + s1) + (s2 + s3);
        sq = (q0 + q1) + (q2 + q3);
        max = Vector.Max(m0, m1);
        zeros = -z;
    }

    /// <summary>Whole 512-bit vectors of <paramref name="data"/>; returns how many elements it covered.</summary>
    private static int Blocks512<TMode>(ReadOnlySpan<float> data, ref GradientMoments m)
        where TMode : struct
    {
        bool full = typeof(TMode) == typeof(FullMode);
        int width = Vector512<float>.Count;
        int end = data.Length - (data.Length % width);
        ref float src = ref MemoryMarshal.GetReference(data);
        var totals = default(Totals512);
        for (int i = 0; i < end; i += width * BlockVectors)
        {
            int n = Math.Min(width * BlockVectors, end - i);
            Block512<TMode>(ref Unsafe.Add(ref src, i), n, out var sum, out var sq, out var max, out var zeros);
            totals.Add(data.Slice(i, n), sum, sq, max, zeros, full, ref m);
        }

        totals.Fold(full, ref m);
        return end;
    }

    /// <summary>The double-precision totals of the 512-bit kernels' blocks.</summary>
    private struct Totals512
    {
        private Vector512<double> sum;
        private Vector512<double> sq;
        private Vector512<int> max;
        private Vector512<int> zeros;

        /// <summary>
        /// Adds one block's float32 results when its max |x| lies in the range where they can be trusted; otherwise re-reads
        /// <paramref name="block"/> into <paramref name="m"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(ReadOnlySpan<float> block, Vector512<float> blockSum, Vector512<float> blockSq, Vector512<int> blockMax, Vector512<int> blockZeros, bool full, ref GradientMoments m)
        {
            bool inRange = Vector512.LessThanOrEqualAll(blockMax, Vector512.Create(SafeMaxBits))
                && (Vector512.GreaterThanOrEqualAny(blockMax, Vector512.Create(SafeMinBits)) || blockMax == Vector512<int>.Zero);
            if (!inRange)
            {
                Reread(block, Vector512.GreaterThanOrEqualAny(blockMax, Vector512.Create(InfinityBits)), full, ref m);
                return;
            }

            var (lo, hi) = Vector512.Widen(blockSq);
            sq += lo + hi;
            max = Vector512.Max(max, blockMax);
            if (full)
            {
                (lo, hi) = Vector512.Widen(blockSum);
                sum += lo + hi;
                zeros += blockZeros;
            }
        }

        /// <summary>Adds the totals into <paramref name="m"/>.</summary>
        public readonly void Fold(bool full, ref GradientMoments m)
            => FusedReduction.Fold(Vector512.Sum(sum), Vector512.Sum(sq), MaxLane(max), Vector512.Sum(zeros), full, ref m);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block512<TMode>(ref float src, int n, out Vector512<float> sum, out Vector512<float> sq, out Vector512<int> max, out Vector512<int> zeros)
        where TMode : struct
    {
        bool full = typeof(TMode) == typeof(FullMode);
        int width = Vector512<float>.Count;
        var absMask = Vector512.Create(AbsMask);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<float> q0 = default, q1 = default, q2 = default, q3 = default;
        Vector512<int> m0 = default, m1 = default, z = default;
        int k = 0;
        for (; k + (4 * width) <= n; k += 4 * width)
        {
            var v0 = Load<Vector512<float>>(ref src, k);
            var v1 = Load<Vector512<float>>(ref src, k + width);
            var v2 = Load<Vector512<float>>(ref src, k + (2 * width));
            var v3 = Load<Vector512<float>>(ref src, k + (3 * width));

            q0 += v0 * v0;
            q1 += v1 * v1;
            q2 += v2 * v2;
            q3 += v3 * v3;
            var a0 = v0.AsInt32() & absMask;
            var a1 = v1.AsInt32() & absMask;
            var a2 = v2.AsInt32() & absMask;
            var a3 = v3.AsInt32() & absMask;
            m0 = Vector512.Max(m0, Vector512.Max(a0, a1));
            m1 = Vector512.Max(m1, Vector512.Max(a2, a3));
            if (full)
            {
                s0 += v0;
                s1 += v1;
                s2 += v2;
                s3 += v3;
                z += (Vector512.Equals(a0, Vector512<int>.Zero) + Vector512.Equals(a1, Vector512<int>.Zero)) + (Vector512.Equals(a2, Vector512<int>.Zero) + Vector512.Equals(a3, Vector512<int>.Zero));
            }
        }

        for (; k < n; k += width)
        {
            var v = Load<Vector512<float>>(ref src, k);

            q0 += v * v;
            var a = v.AsInt32() & absMask;
            m0 = Vector512.Max(m0, a);
            if (full)
            {
                s0 += v;
                z += Vector512.Equals(a, Vector512<int>.Zero);
            }
        }

        sum = (s0 + s1) + (s2 + s3);
        sq = (q0 + q1) + (q2 + q3);
        max = Vector512.Max(m0, m1);
        zeros = -z;
    }

    /// <summary>
    /// Whole groups of 64 elements of <paramref name="data"/> with 512-bit vectors: every statistic and the exponent
    /// histogram in one read, each loaded vector feeding both (see <see cref="ExponentHistogram.PairCounter"/>), so the
    /// histogram's arithmetic overlaps the wait for memory. Returns how many elements it covered.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Blocks512Histogram(ReadOnlySpan<float> data, ref GradientMoments m, Span<int> scratch, Span<long> histogram)
    {
        const int group = 64;
        int end = data.Length - (data.Length % group);
        if (end == 0)
        {
            return 0;
        }

        ref float src = ref MemoryMarshal.GetReference(data);
        var totals = default(Totals512);
        var counter = new ExponentHistogram.PairCounter(scratch, stackalloc ulong[ExponentHistogram.PairBlockGroups], stackalloc ulong[ExponentHistogram.PairSums * 8], group);
        counter.Start(ref src, Math.Min(end, ExponentHistogram.PairBlockGroups * group));
        long zeros = 0;
        for (int i = 0; i < end; i += ExponentHistogram.PairBlockGroups * group)
        {
            int n = Math.Min(ExponentHistogram.PairBlockGroups * group, end - i);
            BlockHistogram512(ref Unsafe.Add(ref src, i), n, counter.Window, ref counter, out var sum, out var sq, out var max, out var z);
            zeros += Vector512.Sum(z);
            if (counter.EndBlock(ref Unsafe.Add(ref src, i), n / group))
            {
                counter.MoveWindow(MaxLane(max));
            }

            totals.Add(data.Slice(i, n), sum, sq, max, z, full: true, ref m);
        }

        totals.Fold(full: true, ref m);
        counter.Finish(data[..end], zeros, histogram);
        return end;
    }

    /// <summary>The moments and the pair counts of one block of at most <see cref="ExponentHistogram.PairBlockGroups"/> groups of 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockHistogram512(ref float src, int n, byte window, ref ExponentHistogram.PairCounter counter, out Vector512<float> sum, out Vector512<float> sq, out Vector512<int> max, out Vector512<int> zeros)
    {
        var absMask = Vector512.Create(AbsMask);
        var w = Vector512.Create(window);
        var zeroField = Vector512.Create((byte)(256 - window));
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<float> q0 = default, q1 = default, q2 = default, q3 = default;
        Vector512<int> m0 = default, m1 = default, z = default;
        Vector512<byte> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        ref ulong masks = ref counter.Masks;
        for (int k = 0, g = 0; k < n; k += 64, g++)
        {
            var v0 = Load<Vector512<float>>(ref src, k);
            var v1 = Load<Vector512<float>>(ref src, k + 16);
            var v2 = Load<Vector512<float>>(ref src, k + 32);
            var v3 = Load<Vector512<float>>(ref src, k + 48);

            q0 += v0 * v0;
            q1 += v1 * v1;
            q2 += v2 * v2;
            q3 += v3 * v3;
            s0 += v0;
            s1 += v1;
            s2 += v2;
            s3 += v3;
            var a0 = v0.AsInt32() & absMask;
            var a1 = v1.AsInt32() & absMask;
            var a2 = v2.AsInt32() & absMask;
            var a3 = v3.AsInt32() & absMask;
            m0 = Vector512.Max(m0, Vector512.Max(a0, a1));
            m1 = Vector512.Max(m1, Vector512.Max(a2, a3));
            z += (Vector512.Equals(a0, Vector512<int>.Zero) + Vector512.Equals(a1, Vector512<int>.Zero)) + (Vector512.Equals(a2, Vector512<int>.Zero) + Vector512.Equals(a3, Vector512<int>.Zero));

            // The exponent bytes of the 64 elements: |x| >> 23 fits in 16 bits and in 8, so neither pack saturates (the packs
            // reorder the elements within each 128-bit lane; counting does not care, and CountLanes undoes it).
            var w01 = Avx512BW.PackUnsignedSaturate(Vector512.ShiftRightLogical(a0, 23), Vector512.ShiftRightLogical(a1, 23));
            var w23 = Avx512BW.PackUnsignedSaturate(Vector512.ShiftRightLogical(a2, 23), Vector512.ShiftRightLogical(a3, 23));
            var d = Avx512BW.PackUnsignedSaturate(w01.AsInt16(), w23.AsInt16()) - w;
            Unsafe.Add(ref masks, g) = Vector512.ExtractMostSignificantBits(Vector512.AndNot(Vector512.GreaterThan(d, Vector512.Create((byte)(ExponentHistogram.WindowExponents - 1))), Vector512.Equals(d, zeroField)));
            var t = ExponentHistogram.PairCounter.TableIndex512(d);
            c0 += Avx512BW.Shuffle(ExponentHistogram.PairCounter.PairTable512(0), t);
            c1 += Avx512BW.Shuffle(ExponentHistogram.PairCounter.PairTable512(1), t);
            c2 += Avx512BW.Shuffle(ExponentHistogram.PairCounter.PairTable512(2), t);
            c3 += Avx512BW.Shuffle(ExponentHistogram.PairCounter.PairTable512(3), t);
            c4 += Avx512BW.Shuffle(ExponentHistogram.PairCounter.PairTable512(4), t);
            c5 += Avx512BW.Shuffle(ExponentHistogram.PairCounter.PairTable512(5), t);
            c6 += Avx512BW.Shuffle(ExponentHistogram.PairCounter.PairTable512(6), t);
            c7 += Avx512BW.Shuffle(ExponentHistogram.PairCounter.PairTable512(7), t);
        }

        counter.Add(c0, c1, c2, c3, c4, c5, c6, c7);
        sum = (s0 + s1) + (s2 + s3);
        sq = (q0 + q1) + (q2 + q3);
        max = Vector512.Max(m0, m1);
        zeros = -z;
    }

    /// <summary>Re-reads a block the float32 accumulators could not be trusted with.</summary>
    private static void Reread(ReadOnlySpan<float> block, bool nonFinite, bool full, ref GradientMoments m)
    {
        if (nonFinite)
        {
            ScalarFull(block, ref m);
            return;
        }

        // Finite but tiny or huge: the same statistics with every value widened to double first.
        int width = Vector<float>.Count;
        int end = Vector.IsHardwareAccelerated ? block.Length - (block.Length % width) : 0;
        ref float src = ref MemoryMarshal.GetReference(block);
        var sum = Vector<double>.Zero;
        var sq = Vector<double>.Zero;
        var max = Vector<int>.Zero;
        var zeros = Vector<int>.Zero;
        var absMask = new Vector<int>(AbsMask);
        for (int k = 0; k < end; k += width)
        {
            var v = Load<Vector<float>>(ref src, k);
            Vector.Widen(v, out var lo, out var hi);
            sq += (lo * lo) + (hi * hi);
            sum += lo + hi;
            var a = Vector.AsVectorInt32(v) & absMask;
            max = Vector.Max(max, a);
            zeros -= Vector.Equals(a, Vector<int>.Zero);
        }

        Fold(Vector.Sum(sum), Vector.Sum(sq), MaxLane(max), Vector.Sum(zeros), full, ref m);
        if (end < block.Length)
        {
            var rest = new GradientMoments();
            ScalarFull(block[end..], ref rest);
            m.Sum += full ? rest.Sum : 0;
            m.SumOfSquares += rest.SumOfSquares;
            m.ZeroCount += full ? rest.ZeroCount : 0;
            m.MaxAbs = Math.Max(m.MaxAbs, rest.MaxAbs);
        }
    }

    private static void Fold(double sum, double sq, int maxBits, long zeros, bool full, ref GradientMoments m)
    {
        m.SumOfSquares += sq;
        float max = BitConverter.Int32BitsToSingle(maxBits);
        if (max > m.MaxAbs)
        {
            m.MaxAbs = max;
        }

        if (full)
        {
            m.Sum += sum;
            m.ZeroCount += zeros;
        }
    }

    private static int MaxLane(Vector512<int> v)
    {
        var max256 = Vector256.Max(v.GetLower(), v.GetUpper());
        var max128 = Vector128.Max(max256.GetLower(), max256.GetUpper());
        return Math.Max(Math.Max(max128.GetElement(0), max128.GetElement(1)), Math.Max(max128.GetElement(2), max128.GetElement(3)));
    }

    private static int MaxLane(Vector<int> v)
    {
        int max = 0;
        for (int l = 0; l < Vector<int>.Count; l++)
        {
            max = Math.Max(max, v[l]);
        }

        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Load<TVector>(ref float origin, int index)
        where TVector : struct
        => Unsafe.ReadUnaligned<TVector>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref origin, index)));

    private static GradientMoments Reduce(ReadOnlySpan<double> data, bool full, Span<long> histogram)
    {
        var m = new GradientMoments { Count = data.Length, NormOnly = !full };
        Span<int> scratch = histogram.IsEmpty ? default : stackalloc int[ExponentHistogram.DoubleScratch];

        int i = 0;
        const int vectorsPerBlock = 32;
        if (Vector.IsHardwareAccelerated && VectorBits > 0 && data.Length >= Vector<double>.Count * vectorsPerBlock)
        {
            int width = Vector<double>.Count;
            int block = width * vectorsPerBlock;
            ref double origin = ref MemoryMarshal.GetReference(data);
            var absMask = new Vector<long>(long.MaxValue);
            for (; i + block <= data.Length; i += block)
            {
                var vsum = Vector<double>.Zero;
                var vsq = Vector<double>.Zero;
                var vmax = Vector<long>.Zero;
                var vzero = Vector<long>.Zero;
                ref double b = ref Unsafe.Add(ref origin, i);
                for (int k = 0; k < block; k += width)
                {
                    var v = Unsafe.ReadUnaligned<Vector<double>>(ref Unsafe.As<double, byte>(ref Unsafe.Add(ref b, k)));
                    vsq += v * v;
                    var a = Vector.AsVectorInt64(v) & absMask;
                    vmax = Vector.Max(vmax, a);
                    if (full)
                    {
                        vsum += v;
                        vzero += Vector.Equals(a, Vector<long>.Zero);
                    }
                }

                if (!scratch.IsEmpty)
                {
                    ExponentHistogram.CountDouble(data.Slice(i, block), scratch);
                }

                double bsq = Vector.Sum(vsq);
                double bsum = Vector.Sum(vsum);
                long maxBits = 0;
                for (int l = 0; l < width; l++)
                {
                    maxBits = Math.Max(maxBits, vmax[l]);
                }

                double bmax = BitConverter.Int64BitsToDouble(maxBits);
                bool safe = double.IsFinite(bsq) && double.IsFinite(bsum) && (bmax == 0 || (bmax >= DoubleSafeMin && bmax <= DoubleSafeMax));
                if (!safe)
                {
                    ScalarFull(data.Slice(i, block), ref m);
                    continue;
                }

                m.SumOfSquares += bsq;
                if (bmax > m.MaxAbs)
                {
                    m.MaxAbs = bmax;
                }

                if (full)
                {
                    m.Sum += bsum;
                    m.ZeroCount -= Vector.Sum(vzero);
                }
            }
        }

        if (i < data.Length)
        {
            ScalarFull(data[i..], ref m);
            if (!scratch.IsEmpty)
            {
                ExponentHistogram.CountDouble(data[i..], scratch);
            }
        }

        if (!histogram.IsEmpty)
        {
            ExponentHistogram.FoldDouble(scratch, m.NanCount, histogram);
        }

        return m;
    }

    private static void ScalarFull(ReadOnlySpan<float> data, ref GradientMoments m)
    {
        foreach (float f in data)
        {
            Accumulate(f, ref m);
        }
    }

    private static void ScalarFull(ReadOnlySpan<double> data, ref GradientMoments m)
    {
        foreach (double x in data)
        {
            Accumulate(x, ref m);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(double x, ref GradientMoments m)
    {
        if (double.IsNaN(x))
        {
            m.NanCount++;
            return;
        }

        double a = Math.Abs(x);
        if (double.IsInfinity(x))
        {
            m.InfCount++;
            m.MaxAbs = double.PositiveInfinity;
            return;
        }

        m.Sum += x;
        m.SumOfSquares += x * x;
        if (a > m.MaxAbs)
        {
            m.MaxAbs = a;
        }

        if (x == 0)
        {
            m.ZeroCount++;
        }
    }

    /// <summary>Plain Σx: one vectorized read of the memory with four accumulators, folded into double every block. No NaN/Inf handling.</summary>
    public static double Sum(ReadOnlySpan<float> data) => Sum(data, VectorBits);

    /// <summary><see cref="Sum(ReadOnlySpan{float})"/> with vectors of at most <paramref name="maxVectorBits"/> bits.</summary>
    internal static double Sum(ReadOnlySpan<float> data, int maxVectorBits)
    {
        double total = 0;
        int i = 0;
        ref float origin = ref MemoryMarshal.GetReference(data);
        if (maxVectorBits >= 512 && Vector512.IsHardwareAccelerated)
        {
            int width = Vector512<float>.Count;
            int block = width * BlockVectors;
            for (; i + block <= data.Length; i += block)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int k = i; k < i + block; k += 4 * width)
                {
                    a0 += Load<Vector512<float>>(ref origin, k);
                    a1 += Load<Vector512<float>>(ref origin, k + width);
                    a2 += Load<Vector512<float>>(ref origin, k + (2 * width));
                    a3 += Load<Vector512<float>>(ref origin, k + (3 * width));
                }

                var (lo, hi) = Vector512.Widen((a0 + a1) + (a2 + a3));
                total += Vector512.Sum(lo + hi);
            }
        }
        else if (maxVectorBits >= Vector<byte>.Count * 8 && Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            int block = width * BlockVectors;
            for (; i + block <= data.Length; i += block)
            {
                Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int k = i; k < i + block; k += 4 * width)
                {
                    a0 += Load<Vector<float>>(ref origin, k);
                    a1 += Load<Vector<float>>(ref origin, k + width);
                    a2 += Load<Vector<float>>(ref origin, k + (2 * width));
                    a3 += Load<Vector<float>>(ref origin, k + (3 * width));
                }

                Vector.Widen((a0 + a1) + (a2 + a3), out var lo, out var hi);
                total += Vector.Sum(lo + hi);
            }
        }

        for (; i < data.Length; i++)
        {
            total += data[i];
        }

        return total;
    }

    /// <summary>Plain Σx.</summary>
    public static double Sum(ReadOnlySpan<double> data)
    {
        double total = 0;
        foreach (double x in data)
        {
            total += x;
        }

        return total;
    }

    /// <summary>Σ(a−b)² in double precision, vectorized in blocks.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Spans must have the same length.", nameof(b));
        }

        double total = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && VectorBits > 0)
        {
            int width = Vector<float>.Count;
            int block = width * BlockVectors;
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            for (; i + block <= a.Length; i += block)
            {
                Vector<float> acc0 = default, acc1 = default;
                for (int k = i; k < i + block; k += 2 * width)
                {
                    var d0 = Load<Vector<float>>(ref ra, k) - Load<Vector<float>>(ref rb, k);
                    var d1 = Load<Vector<float>>(ref ra, k + width) - Load<Vector<float>>(ref rb, k + width);
                    acc0 += d0 * d0;
                    acc1 += d1 * d1;
                }

                Vector.Widen(acc0 + acc1, out var lo, out var hi);
                double s = Vector.Sum(lo + hi);
                if (!double.IsFinite(s) || (s < 1e-30 && s != 0))
                {
                    s = 0;
                    for (int k = i; k < i + block; k++)
                    {
                        double d = (double)a[k] - b[k];
                        s += d * d;
                    }
                }

                total += s;
            }
        }

        for (; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            total += d * d;
        }

        return total;
    }

    /// <summary>Σ(a−b)² in double precision.</summary>
    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double total = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            total += d * d;
        }

        return total;
    }

    /// <summary>Mode marker: every statistic.</summary>
    private struct FullMode
    {
    }

    /// <summary>Mode marker: Σx², max |x| and non-finite counts.</summary>
    private struct NormMode
    {
    }
}
