using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GradientWatch.Statistics;

/// <summary>
/// The binary-exponent histogram of |g| as the fused pass accumulates it: a flat array of <see cref="Length"/> counts
/// (<see cref="ZeroIndex"/>, <see cref="BelowRangeIndex"/>, one bucket per exponent from <see cref="GradientHistogram.MinExponent"/>
/// to <see cref="GradientHistogram.MaxExponent"/>, <see cref="AboveRangeIndex"/>, <see cref="NanIndex"/>, <see cref="InfinityIndex"/>),
/// and the kernels that fill it from the exponent bits, without a logarithm.
/// </summary>
/// <remarks>
/// The kernels first count raw exponent fields (float32: 8 bits, float64: 11 bits) into four interleaved tables, so that
/// consecutive increments of the same bucket do not wait on each other, then fold the tables into the layout. The exponent
/// field alone cannot tell NaN from Inf, nor a subnormal's exponent: the NaN count comes from the moments of the same pass,
/// and a block holding float32 subnormals is re-read for their exact exponents (leading-zero count of the mantissa).
/// </remarks>
internal static class ExponentHistogram
{
    /// <summary>Exact zeros (either sign).</summary>
    public const int ZeroIndex = 0;

    /// <summary>Non-zero finite values below 2^<see cref="GradientHistogram.MinExponent"/> (float64 only).</summary>
    public const int BelowRangeIndex = 1;

    /// <summary>Bucket of exponent <see cref="GradientHistogram.MinExponent"/>.</summary>
    public const int FirstExponentIndex = 2;

    /// <summary>Number of exponent buckets.</summary>
    public const int ExponentBuckets = GradientHistogram.MaxExponent - GradientHistogram.MinExponent + 1;

    /// <summary>Finite values at or above 2^(<see cref="GradientHistogram.MaxExponent"/> + 1) (float64 only).</summary>
    public const int AboveRangeIndex = FirstExponentIndex + ExponentBuckets;

    /// <summary>NaN elements.</summary>
    public const int NanIndex = AboveRangeIndex + 1;

    /// <summary>±Inf elements.</summary>
    public const int InfinityIndex = NanIndex + 1;

    /// <summary>Entries in the layout.</summary>
    public const int Length = InfinityIndex + 1;

    /// <summary>Raw float32 table: index 0 for zero, biased exponent + 1 otherwise (1 = subnormal, 256 = NaN/Inf).</summary>
    public const int FloatTable = 260;

    /// <summary>Scratch ints the float32 kernel needs (four tables).</summary>
    public const int FloatScratch = 4 * FloatTable;

    /// <summary>Raw float64 table: index 0 for zero, biased exponent + 1 otherwise.</summary>
    public const int DoubleTable = 2052;

    /// <summary>Scratch ints the float64 kernel needs (two tables).</summary>
    public const int DoubleScratch = 2 * DoubleTable;

    /// <summary>Layout index of the bucket holding 2^e ≤ |x| &lt; 2^(e+1), clamped to the range buckets.</summary>
    public static int IndexOfExponent(int exponent)
        => exponent < GradientHistogram.MinExponent ? BelowRangeIndex
        : exponent > GradientHistogram.MaxExponent ? AboveRangeIndex
        : FirstExponentIndex + exponent - GradientHistogram.MinExponent;

    /// <summary>Layout index of one value (the reference the kernels are tested against).</summary>
    public static int IndexOf(double x)
    {
        if (double.IsNaN(x))
        {
            return NanIndex;
        }

        if (double.IsInfinity(x))
        {
            return InfinityIndex;
        }

        return x == 0 ? ZeroIndex : IndexOfExponent(Math.ILogB(x));
    }

    /// <summary>Counts the raw exponent fields of <paramref name="block"/> into the four tables of <paramref name="scratch"/>; float32 subnormals go straight into <paramref name="histogram"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CountFloat(ReadOnlySpan<float> block, Span<int> scratch, Span<long> histogram)
    {
        ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(block));
        ref int t0 = ref MemoryMarshal.GetReference(scratch);
        ref int t1 = ref Unsafe.Add(ref t0, FloatTable);
        ref int t2 = ref Unsafe.Add(ref t0, 2 * FloatTable);
        ref int t3 = ref Unsafe.Add(ref t0, 3 * FloatTable);
        int subnormalsBefore = Unsafe.Add(ref t0, 1) + Unsafe.Add(ref t1, 1) + Unsafe.Add(ref t2, 1) + Unsafe.Add(ref t3, 1);
        int n = block.Length;
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            Unsafe.Add(ref t0, FloatSlot(Unsafe.Add(ref src, i)))++;
            Unsafe.Add(ref t1, FloatSlot(Unsafe.Add(ref src, i + 1)))++;
            Unsafe.Add(ref t2, FloatSlot(Unsafe.Add(ref src, i + 2)))++;
            Unsafe.Add(ref t3, FloatSlot(Unsafe.Add(ref src, i + 3)))++;
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref t0, FloatSlot(Unsafe.Add(ref src, i)))++;
        }

        int subnormalsAfter = Unsafe.Add(ref t0, 1) + Unsafe.Add(ref t1, 1) + Unsafe.Add(ref t2, 1) + Unsafe.Add(ref t3, 1);
        if (subnormalsAfter != subnormalsBefore)
        {
            CountSubnormals(block, histogram);
        }
    }

    /// <summary>Exponents counted with byte compares: a window this wide, at the top of the block's (or span's) range.</summary>
    public const int WindowExponents = 16;

    /// <summary>
    /// Groups of 64 elements in a block of the fused kernel: each group adds at most one to a byte's nibble, which holds 15,
    /// so the pair counters are flushed after every block.
    /// </summary>
    public const int PairBlockGroups = 15;

    /// <summary>Elements counted between two reductions of a <see cref="PairCounter"/>'s sums (keeps each within 32 bits).</summary>
    private const int ReduceElements = 1 << 16;

    /// <summary>Sum vectors a <see cref="PairCounter"/> keeps: all bytes and low nibbles of each of the eight pairs.</summary>
    public const int PairSums = 16;

    /// <summary>A block with more elements counted one by one than this moves the window to the block's largest exponent.</summary>
    private const int RecenterThreshold = 8;

    /// <summary>
    /// The histogram side of the fused float32 kernel (FusedReduction's 512-bit path with a histogram), which counts pairs of
    /// exponents in the same loop that computes the moments, from the same loaded vectors: the exponent bytes of 64 elements
    /// are compared against the eight exponent pairs of a <see cref="WindowExponents"/>-exponent window; each element adds 1
    /// (even exponent) or 16 (odd) to its pair's byte counter, so one compare and one masked add count two exponents. The
    /// counters are flushed into sums after each block of <see cref="PairBlockGroups"/> groups (before a nibble can
    /// overflow). The window is chosen before the first block (from its largest exponent, one exponent of headroom) and
    /// moves only when a block has more than <see cref="RecenterThreshold"/> elements outside it, which are counted one by
    /// one from the block's masks; any window gives exact counts. Zeros and subnormals share the zero exponent field; the
    /// exact zero count from the moments splits them, and a span with subnormals is re-read for their exponents.
    /// </summary>
    internal ref struct PairCounter
    {
        /// <summary>Elements this thread's pair counters have counted one by one, outside their window (for tests of the window's placement).</summary>
        [ThreadStatic]
        internal static long CountedOneByOne;

        private readonly Span<int> scratch;
        private readonly Span<ulong> masks;
        private readonly Span<Vector512<ulong>> sums;
        private long inside;
        private long oneByOne;
        private int sinceReduce;

        /// <summary>Uses <paramref name="masks"/> (<see cref="PairBlockGroups"/>) and <paramref name="sums"/> (<see cref="PairSums"/> vectors of ulong) as working memory.</summary>
        public PairCounter(Span<int> scratch, Span<ulong> masks, Span<ulong> sums)
        {
            this.scratch = scratch;
            this.masks = masks;
            this.sums = MemoryMarshal.Cast<ulong, Vector512<ulong>>(sums);
            this.sums.Clear();
        }

        /// <summary>Biased exponent of the window's lowest exponent.</summary>
        public byte Window { get; private set; }

        /// <summary>Where the block loop leaves each group's mask of elements to count one by one.</summary>
        public readonly ref ulong Masks => ref MemoryMarshal.GetReference(masks);

        /// <summary>Chooses the window from the largest |x| among the first <paramref name="n"/> elements (a multiple of 16) at <paramref name="src"/>.</summary>
        public void Start(ref float src, int n)
        {
            var max = Vector512<uint>.Zero;
            ref uint bits = ref Unsafe.As<float, uint>(ref src);
            for (int i = 0; i < n; i += 16)
            {
                max = Vector512.Max(max, Unsafe.ReadUnaligned<Vector512<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref bits, i))) & Vector512.Create(0x7FFF_FFFFu));
            }

            Window = WindowBelow(max);
        }

        /// <summary>Flushes one block's pair counters into the sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Add(Vector512<byte> c0, Vector512<byte> c1, Vector512<byte> c2, Vector512<byte> c3, Vector512<byte> c4, Vector512<byte> c5, Vector512<byte> c6, Vector512<byte> c7)
        {
            var nibble = Vector512.Create((byte)0x0F);
            ref var all = ref MemoryMarshal.GetReference(sums);
            ref var low = ref Unsafe.Add(ref all, 8);
            all += Sad(c0);
            low += Sad(c0 & nibble);
            Unsafe.Add(ref all, 1) += Sad(c1);
            Unsafe.Add(ref low, 1) += Sad(c1 & nibble);
            Unsafe.Add(ref all, 2) += Sad(c2);
            Unsafe.Add(ref low, 2) += Sad(c2 & nibble);
            Unsafe.Add(ref all, 3) += Sad(c3);
            Unsafe.Add(ref low, 3) += Sad(c3 & nibble);
            Unsafe.Add(ref all, 4) += Sad(c4);
            Unsafe.Add(ref low, 4) += Sad(c4 & nibble);
            Unsafe.Add(ref all, 5) += Sad(c5);
            Unsafe.Add(ref low, 5) += Sad(c5 & nibble);
            Unsafe.Add(ref all, 6) += Sad(c6);
            Unsafe.Add(ref low, 6) += Sad(c6 & nibble);
            Unsafe.Add(ref all, 7) += Sad(c7);
            Unsafe.Add(ref low, 7) += Sad(c7 & nibble);
        }

        /// <summary>
        /// Ends a block of <paramref name="n"/> elements at <paramref name="src"/> (its pair counts already added): counts its
        /// outside elements one by one, and moves the window to the block's largest |x| (<paramref name="max"/>, lanes of
        /// absolute bit patterns) when there were many.
        /// </summary>
        public void EndBlock(ref float src, int n, Vector512<int> max)
        {
            int outside = 0;
            ref uint bits = ref Unsafe.As<float, uint>(ref src);
            for (int g = 0; g < n / 64; g++)
            {
                if (masks[g] is var lanes and not 0)
                {
                    outside += CountLanes(ref Unsafe.Add(ref bits, 64 * g), lanes, scratch);
                }
            }

            oneByOne += outside;
            sinceReduce += n;
            if (outside > RecenterThreshold)
            {
                Reduce();
                Window = WindowBelow(max.AsUInt32());
            }
            else if (sinceReduce >= ReduceElements)
            {
                Reduce();
            }
        }

        /// <summary>Adds the last counts to the tables; <paramref name="covered"/> is everything counted, <paramref name="zeros"/> its exact zero count.</summary>
        public void Finish(ReadOnlySpan<float> covered, long zeros, Span<long> histogram)
        {
            Reduce();
            CountedOneByOne += oneByOne;
            scratch[0] += (int)zeros;
            if (covered.Length - inside - oneByOne > zeros)
            {
                CountSubnormals(covered, histogram);
            }
        }

        /// <summary>Moves the sums into the slots of the current window.</summary>
        private void Reduce()
        {
            // Over at most ReduceElements + one block, a 64-bit lane of a sum holds at most 8 x 16 x 1040, so two share a
            // lane at a 32-bit offset.
            ref var all = ref MemoryMarshal.GetReference(sums);
            ref var low = ref Unsafe.Add(ref all, 8);
            ref int slots = ref Unsafe.Add(ref MemoryMarshal.GetReference(scratch), Window + 1);
            for (int k = 0; k < 8; k += 2)
            {
                inside += Pairs(
                    ref slots,
                    2 * k,
                    Vector512.Sum(Unsafe.Add(ref all, k) | (Unsafe.Add(ref all, k + 1) << 32)),
                    Vector512.Sum(Unsafe.Add(ref low, k) | (Unsafe.Add(ref low, k + 1) << 32)));
            }

            sums.Clear();
            sinceReduce = 0;
        }

        /// <summary>The window whose highest exponent is one above the largest in <paramref name="max"/> (lanes of absolute bit patterns).</summary>
        private static byte WindowBelow(Vector512<uint> max)
        {
            var m256 = Vector256.Max(max.GetLower(), max.GetUpper());
            var m128 = Vector128.Max(m256.GetLower(), m256.GetUpper());
            uint top = Math.Max(Math.Max(m128.GetElement(0), m128.GetElement(1)), Math.Max(m128.GetElement(2), m128.GetElement(3))) >> 23;
            return (byte)Math.Max((int)Math.Min(top + 1, 254) - WindowExponents + 1, 1);
        }
    }

    /// <summary>Adds two pairs' counts (32-bit fields of <paramref name="all"/>: even + 16 x odd; of <paramref name="even"/>: even) to four slots from <paramref name="first"/>; returns their total.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Pairs(ref int slots, int first, ulong all, ulong even)
    {
        long total = 0;
        for (int j = 0; j < 2; j++)
        {
            long e = (long)((even >> (32 * j)) & 0xFFFF_FFFF);
            long o = ((long)((all >> (32 * j)) & 0xFFFF_FFFF) - e) >> 4;
            Unsafe.Add(ref slots, first + (2 * j)) += (int)e;
            Unsafe.Add(ref slots, first + (2 * j) + 1) += (int)o;
            total += e + o;
        }

        return total;
    }

    /// <summary>
    /// Counts, by raw exponent, the elements of one 64-element group whose exponent byte sits at the set bits of
    /// <paramref name="lanes"/> (byte 16L + r of the packed exponents is element 16 x (r / 4) + 4L + r % 4); returns how many.
    /// </summary>
    private static int CountLanes(ref uint group, ulong lanes, Span<int> scratch)
    {
        ref int t0 = ref MemoryMarshal.GetReference(scratch);
        int count = BitOperations.PopCount(lanes);
        while (lanes != 0)
        {
            int b = BitOperations.TrailingZeroCount(lanes);
            int r = b & 15;
            Unsafe.Add(ref t0, FloatSlot(Unsafe.Add(ref group, (16 * (r >> 2)) + (4 * (b >> 4)) + (r & 3))))++;
            lanes &= lanes - 1;
        }

        return count;
    }

    /// <summary>Sums of absolute differences against zero: the sum of each 64-bit lane's bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Sad(Vector512<byte> v) => Avx512BW.SumAbsoluteDifferences(v, Vector512<byte>.Zero).AsUInt64();

    /// <summary>
    /// Counts by raw exponent the elements of <paramref name="block"/> that are neither zero nor subnormal and lie outside the
    /// window starting at biased exponent <paramref name="w"/>; returns how many are zero or subnormal.
    /// </summary>
    private static int CountOutsideWindow(ReadOnlySpan<float> block, int w, Span<int> scratch)
    {
        ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(block));
        ref int t0 = ref MemoryMarshal.GetReference(scratch);
        var window = Vector256.Create((uint)w);
        var last = Vector256.Create((uint)(WindowExponents - 1));
        var exponentMask = Vector256.Create(0xFFu);
        int zeroOrSubnormal = 0;
        for (int i = 0; i < block.Length; i += 8)
        {
            var e = Vector256.ShiftRightLogical(Unsafe.ReadUnaligned<Vector256<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i))), 23) & exponentMask;
            var isZero = Vector256.Equals(e, Vector256<uint>.Zero);
            zeroOrSubnormal += BitOperations.PopCount(isZero.ExtractMostSignificantBits());
            uint lanes = Vector256.AndNot(Vector256.GreaterThan(e - window, last), isZero).ExtractMostSignificantBits();
            while (lanes != 0)
            {
                Unsafe.Add(ref t0, FloatSlot(Unsafe.Add(ref src, i + BitOperations.TrailingZeroCount(lanes))))++;
                lanes &= lanes - 1;
            }
        }

        return zeroOrSubnormal;
    }

    /// <summary>
    /// Counts the raw exponent fields of a float32 block with 256-bit vectors: the exponent bytes of 32 elements at a time are
    /// compared against the <see cref="WindowExponents"/> exponents just below the block's largest (<paramref name="maxBits"/>),
    /// where nearly all of a gradient's mass lies. Elements outside the window are only counted; when the block has any
    /// besides zeros, it is re-read for them. <paramref name="zeros"/> is the block's exact zero count from the moments,
    /// which splits zeros from subnormals.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CountFloat256(ReadOnlySpan<float> block, int maxBits, long zeros, Span<int> scratch, Span<long> histogram)
    {
        int w = Math.Max(Math.Min(maxBits >>> 23, 254) - WindowExponents + 1, 1);
        ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(block));
        ref int t0 = ref MemoryMarshal.GetReference(scratch);
        var window = Vector256.Create((byte)w);
        var last = Vector256.Create((byte)(WindowExponents - 1));
        Vector256<byte> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector256<byte> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        Vector256<byte> outside = default;
        var one = Vector256<byte>.One;
        int n = block.Length - (block.Length % 32);
        for (int i = 0; i < n; i += 32)
        {
            var e0 = Vector256.ShiftRightLogical(Unsafe.ReadUnaligned<Vector256<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i))), 23);
            var e1 = Vector256.ShiftRightLogical(Unsafe.ReadUnaligned<Vector256<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i + 8))), 23);
            var e2 = Vector256.ShiftRightLogical(Unsafe.ReadUnaligned<Vector256<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i + 16))), 23);
            var e3 = Vector256.ShiftRightLogical(Unsafe.ReadUnaligned<Vector256<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i + 24))), 23);

            // Truncating narrows drop the sign bit (bit 8 after the shift): one exponent byte per element, in order.
            var e = Vector256.Narrow(Vector256.Narrow(e0, e1), Vector256.Narrow(e2, e3));
            var d = e - window;
            c0 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)0)), c0 + one, c0);
            c1 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)1)), c1 + one, c1);
            c2 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)2)), c2 + one, c2);
            c3 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)3)), c3 + one, c3);
            c4 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)4)), c4 + one, c4);
            c5 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)5)), c5 + one, c5);
            c6 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)6)), c6 + one, c6);
            c7 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)7)), c7 + one, c7);
            c8 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)8)), c8 + one, c8);
            c9 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)9)), c9 + one, c9);
            c10 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)10)), c10 + one, c10);
            c11 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)11)), c11 + one, c11);
            c12 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)12)), c12 + one, c12);
            c13 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)13)), c13 + one, c13);
            c14 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)14)), c14 + one, c14);
            c15 = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256.Create((byte)15)), c15 + one, c15);
            outside -= Vector256.GreaterThan(d, last);
        }

        ref int slots = ref Unsafe.Add(ref t0, w + 1);
        Unsafe.Add(ref slots, 0) += ByteSum(c0);
        Unsafe.Add(ref slots, 1) += ByteSum(c1);
        Unsafe.Add(ref slots, 2) += ByteSum(c2);
        Unsafe.Add(ref slots, 3) += ByteSum(c3);
        Unsafe.Add(ref slots, 4) += ByteSum(c4);
        Unsafe.Add(ref slots, 5) += ByteSum(c5);
        Unsafe.Add(ref slots, 6) += ByteSum(c6);
        Unsafe.Add(ref slots, 7) += ByteSum(c7);
        Unsafe.Add(ref slots, 8) += ByteSum(c8);
        Unsafe.Add(ref slots, 9) += ByteSum(c9);
        Unsafe.Add(ref slots, 10) += ByteSum(c10);
        Unsafe.Add(ref slots, 11) += ByteSum(c11);
        Unsafe.Add(ref slots, 12) += ByteSum(c12);
        Unsafe.Add(ref slots, 13) += ByteSum(c13);
        Unsafe.Add(ref slots, 14) += ByteSum(c14);
        Unsafe.Add(ref slots, 15) += ByteSum(c15);
        FinishBlock(block, n, w, ByteSum(outside), zeros, scratch, histogram);
    }

    /// <summary>
    /// Finishes a block whose vector part (up to <paramref name="covered"/>) was counted in the window starting at biased
    /// exponent <paramref name="w"/>: counts the tail one by one, adds the vector part's zeros (<paramref name="zeros"/>, the
    /// whole block's, minus the tail's), and when more of its elements fell outside the window (<paramref name="outside"/>)
    /// than it has zeros, re-reads it for the others, placing subnormals by their exact exponents.
    /// </summary>
    private static void FinishBlock(ReadOnlySpan<float> block, int covered, int w, long outside, long zeros, Span<int> scratch, Span<long> histogram)
    {
        long vectorZeros = zeros - CountTail(block, covered, scratch, histogram);
        scratch[0] += (int)vectorZeros;
        if (outside > vectorZeros && CountOutsideWindow(block[..covered], w, scratch) > vectorZeros)
        {
            CountSubnormals(block[..covered], histogram);
        }
    }

    /// <summary>Counts the elements from <paramref name="covered"/> on one by one; returns how many of them are zero.</summary>
    private static int CountTail(ReadOnlySpan<float> block, int covered, Span<int> scratch, Span<long> histogram)
    {
        int before = scratch[0] + scratch[FloatTable] + scratch[2 * FloatTable] + scratch[3 * FloatTable];
        if (covered < block.Length)
        {
            CountFloat(block[covered..], scratch, histogram);
        }

        return scratch[0] + scratch[FloatTable] + scratch[2 * FloatTable] + scratch[3 * FloatTable] - before;
    }

    /// <summary>Sum of the byte lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ByteSum(Vector256<byte> v)
    {
        var (lo, hi) = Vector256.Widen(v);
        return Vector256.Sum(lo + hi);
    }

    /// <summary>Folds the float32 tables into <paramref name="histogram"/>; <paramref name="nanCount"/> splits the NaN/Inf field.</summary>
    public static void FoldFloat(ReadOnlySpan<int> scratch, long nanCount, Span<long> histogram)
    {
        for (int slot = 0; slot <= 256; slot++)
        {
            long c = (long)scratch[slot] + scratch[FloatTable + slot] + scratch[(2 * FloatTable) + slot] + scratch[(3 * FloatTable) + slot];
            if (c == 0)
            {
                continue;
            }

            switch (slot)
            {
                case 0:
                    histogram[ZeroIndex] += c;
                    break;
                case 1:
                    // Subnormals: already placed by exponent in CountFloat.
                    break;
                case 256:
                    histogram[NanIndex] += nanCount;
                    histogram[InfinityIndex] += c - nanCount;
                    break;
                default:
                    histogram[IndexOfExponent(slot - 1 - 127)] += c;
                    break;
            }
        }
    }

    /// <summary>Counts the raw exponent fields of <paramref name="block"/> into the two tables of <paramref name="scratch"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CountDouble(ReadOnlySpan<double> block, Span<int> scratch)
    {
        ref ulong src = ref Unsafe.As<double, ulong>(ref MemoryMarshal.GetReference(block));
        ref int t0 = ref MemoryMarshal.GetReference(scratch);
        ref int t1 = ref Unsafe.Add(ref t0, DoubleTable);
        int n = block.Length;
        int i = 0;
        for (; i + 2 <= n; i += 2)
        {
            Unsafe.Add(ref t0, DoubleSlot(Unsafe.Add(ref src, i)))++;
            Unsafe.Add(ref t1, DoubleSlot(Unsafe.Add(ref src, i + 1)))++;
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref t0, DoubleSlot(Unsafe.Add(ref src, i)))++;
        }
    }

    /// <summary>Folds the float64 tables into <paramref name="histogram"/>.</summary>
    public static void FoldDouble(ReadOnlySpan<int> scratch, long nanCount, Span<long> histogram)
    {
        for (int slot = 0; slot <= 2048; slot++)
        {
            long c = (long)scratch[slot] + scratch[DoubleTable + slot];
            if (c == 0)
            {
                continue;
            }

            switch (slot)
            {
                case 0:
                    histogram[ZeroIndex] += c;
                    break;
                case 1:
                    histogram[BelowRangeIndex] += c;
                    break;
                case 2048:
                    histogram[NanIndex] += nanCount;
                    histogram[InfinityIndex] += c - nanCount;
                    break;
                default:
                    histogram[IndexOfExponent(slot - 1 - 1023)] += c;
                    break;
            }
        }
    }

    /// <summary>Float32 table slot: 0 for ±0, biased exponent + 1 otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint FloatSlot(uint bits)
    {
        uint a = bits & 0x7FFF_FFFFu;
        return (nint)((a >> 23) + ((0u - a) >> 31));
    }

    /// <summary>Float64 table slot: 0 for ±0, biased exponent + 1 otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint DoubleSlot(ulong bits)
    {
        ulong a = bits & 0x7FFF_FFFF_FFFF_FFFFul;
        return (nint)((a >> 52) + ((0ul - a) >> 63));
    }

    /// <summary>Places each float32 subnormal of <paramref name="block"/> by its exact exponent: 2^-149 × mantissa.</summary>
    private static void CountSubnormals(ReadOnlySpan<float> block, Span<long> histogram)
    {
        foreach (uint bits in MemoryMarshal.Cast<float, uint>(block))
        {
            uint a = bits & 0x7FFF_FFFFu;
            if (a != 0 && a < 0x0080_0000u)
            {
                histogram[IndexOfExponent(GradientHistogram.MinExponent + 31 - BitOperations.LeadingZeroCount(a))]++;
            }
        }
    }
}
