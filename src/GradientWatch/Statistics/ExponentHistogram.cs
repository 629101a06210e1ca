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
/// The kernels count raw exponent fields (float32: 8 bits, float64: 11 bits) into tables, then fold the tables into the
/// layout: the vector kernels through a <see cref="PairCounter"/> (pairs of exponents of a window, counted with byte
/// shuffles), the scalar ones into four interleaved tables, so that consecutive increments of the same bucket do not wait
/// on each other. The exponent field alone cannot tell NaN from Inf, nor a subnormal's exponent: the NaN count comes from
/// the moments of the same pass, and a span holding float32 subnormals is re-read for their exact exponents (leading-zero
/// count of the mantissa).
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

    /// <summary>Exponents counted by the vector kernels' byte tables: a window this wide, at the top of the span's range.</summary>
    public const int WindowExponents = 16;

    /// <summary>
    /// Groups (one vector's worth of exponent bytes: 64 elements at 512 bits, 32 at 256) in a block of the fused kernels:
    /// each group adds at most one to a byte's nibble, which holds 15, so the pair counters are flushed after every block.
    /// </summary>
    public const int PairBlockGroups = 15;

    /// <summary>Sums a <see cref="PairCounter"/> keeps, eight ulongs each: all bytes and low nibbles of each of the eight pairs.</summary>
    public const int PairSums = 16;

    /// <summary>A block with more elements counted one by one than this moves the window to the block's largest exponent.</summary>
    private const int RecenterThreshold = 8;

    /// <summary>
    /// The histogram side of the fused float32 kernels (FusedReduction's 512-, 256- and 128-bit paths with a histogram), which
    /// take the exponent bytes of each group of elements in the loop that computes the moments, from the same loaded vectors.
    /// Each byte becomes its offset in a <see cref="WindowExponents"/>-exponent window, and every element adds 1 (even offset)
    /// or 16 (odd) to the byte counter of its pair of exponents: for each of the eight pairs, one byte shuffle through the
    /// pair's table (<see cref="PairTable512"/> and its narrower copies; offsets outside the window read 0) and one add count
    /// two exponents for a whole vector of elements, with no compare. The counters are flushed into sums after each block of
    /// <see cref="PairBlockGroups"/> groups (before a nibble can overflow). The window is chosen before the first block (from
    /// its largest exponent, one exponent of headroom) and moves only when a block has more than
    /// <see cref="RecenterThreshold"/> elements outside it, which are counted one by one from the block's masks; any window
    /// gives exact counts. Zeros and subnormals share the zero exponent field; the exact zero count from the moments splits
    /// them, and a span with subnormals is re-read for their exponents.
    /// </summary>
    internal ref struct PairCounter
    {
        /// <summary>Elements this thread's pair counters have counted one by one, outside their window (for tests of the window's placement).</summary>
        [ThreadStatic]
        internal static long CountedOneByOne;

        private readonly Span<int> scratch;
        private readonly Span<ulong> masks;
        private readonly Span<ulong> sums;
        private readonly int groupElements;
        private long inside;
        private long oneByOne;

        /// <summary>
        /// Counts groups of <paramref name="groupElements"/> (64 or 32), using <paramref name="masks"/> (<see cref="PairBlockGroups"/>)
        /// and <paramref name="sums"/> (<see cref="PairSums"/> × 8) as working memory.
        /// </summary>
        public PairCounter(Span<int> scratch, Span<ulong> masks, Span<ulong> sums, int groupElements)
        {
            this.scratch = scratch;
            this.masks = masks;
            this.sums = sums;
            this.groupElements = groupElements;
            sums.Clear();
        }

        /// <summary>Biased exponent of the window's lowest exponent.</summary>
        public byte Window { get; private set; }

        /// <summary>Where the block loop leaves each group's mask of elements to count one by one.</summary>
        public readonly ref ulong Masks => ref MemoryMarshal.GetReference(masks);

        /// <summary>Chooses the window from the largest |x| among the first <paramref name="n"/> elements (a multiple of 4) at <paramref name="src"/>.</summary>
        public void Start(ref float src, int n)
        {
            var max = Vector128<uint>.Zero;
            ref uint bits = ref Unsafe.As<float, uint>(ref src);
            for (int i = 0; i < n; i += 4)
            {
                max = Vector128.Max(max, Unsafe.ReadUnaligned<Vector128<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref bits, i))) & Vector128.Create(0x7FFF_FFFFu));
            }

            Window = WindowBelow((int)Math.Max(Math.Max(max.GetElement(0), max.GetElement(1)), Math.Max(max.GetElement(2), max.GetElement(3))));
        }

        /// <summary>Flushes one block's 512-bit pair counters into the sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Add(Vector512<byte> c0, Vector512<byte> c1, Vector512<byte> c2, Vector512<byte> c3, Vector512<byte> c4, Vector512<byte> c5, Vector512<byte> c6, Vector512<byte> c7)
        {
            ref ulong all = ref MemoryMarshal.GetReference(sums);
            Add512(ref all, 0, c0);
            Add512(ref all, 1, c1);
            Add512(ref all, 2, c2);
            Add512(ref all, 3, c3);
            Add512(ref all, 4, c4);
            Add512(ref all, 5, c5);
            Add512(ref all, 6, c6);
            Add512(ref all, 7, c7);
        }

        /// <summary>
        /// Counts the pairs of a 256-bit block's exponent bytes (<paramref name="groups"/> vectors of window offsets from
        /// <paramref name="offsets"/>, as the block loop left them) and flushes them into the sums.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void CountPairs(ref Vector256<byte> offsets, int groups)
        {
            Vector256<byte> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int g = 0; g < groups; g++)
            {
                // As TableIndex512: offsets outside the window get bit 7, which the shuffle reads as 0.
                var d = Avx2.AddSaturate(Unsafe.Add(ref offsets, g), Vector256.Create((byte)0x70));
                c0 += Avx2.Shuffle(PairTable256(0), d);
                c1 += Avx2.Shuffle(PairTable256(1), d);
                c2 += Avx2.Shuffle(PairTable256(2), d);
                c3 += Avx2.Shuffle(PairTable256(3), d);
                c4 += Avx2.Shuffle(PairTable256(4), d);
                c5 += Avx2.Shuffle(PairTable256(5), d);
                c6 += Avx2.Shuffle(PairTable256(6), d);
                c7 += Avx2.Shuffle(PairTable256(7), d);
            }

            var nibble = Vector256.Create((byte)0x0F);
            ref ulong all = ref MemoryMarshal.GetReference(sums);
            Add256(ref all, 0, c0, nibble);
            Add256(ref all, 1, c1, nibble);
            Add256(ref all, 2, c2, nibble);
            Add256(ref all, 3, c3, nibble);
            Add256(ref all, 4, c4, nibble);
            Add256(ref all, 5, c5, nibble);
            Add256(ref all, 6, c6, nibble);
            Add256(ref all, 7, c7, nibble);
        }

        /// <summary>
        /// The shuffle index of window offsets <paramref name="d"/>: offsets 0-15 keep their low nibble and bit 7 clear, larger
        /// ones (outside the window) get bit 7 from a saturating add, which a byte shuffle reads as 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<byte> TableIndex512(Vector512<byte> d) => Avx512BW.AddSaturate(d, Vector512.Create((byte)0x70));

        /// <summary>
        /// Byte-shuffle table of pair <paramref name="k"/> (a constant once inlined): 1 at index 2k, 16 at 2k + 1, 0 elsewhere,
        /// in each 128-bit lane. Shuffled by <see cref="TableIndex512"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<byte> PairTable512(int k)
        {
            ulong pair = 0x1001ul << (16 * (k & 3));
            return k < 4 ? Vector512.Create(pair, 0, pair, 0, pair, 0, pair, 0).AsByte() : Vector512.Create(0, pair, 0, pair, 0, pair, 0, pair).AsByte();
        }

        /// <summary>The 256-bit <see cref="PairTable512"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<byte> PairTable256(int k)
        {
            ulong pair = 0x1001ul << (16 * (k & 3));
            return k < 4 ? Vector256.Create(pair, 0, pair, 0).AsByte() : Vector256.Create(0, pair, 0, pair).AsByte();
        }

        /// <summary>
        /// Counts the pairs of a 128-bit block's exponent bytes (<paramref name="groups"/> vectors of window offsets) and
        /// flushes them into the sums: pshufb on x86, the cross-platform shuffle (a table lookup on Arm64) elsewhere.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void CountPairs(ref Vector128<byte> offsets, int groups)
        {
            Vector128<byte> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int g = 0; g < groups; g++)
            {
                var d = TableIndex128(Unsafe.Add(ref offsets, g));
                c0 += Lookup128(PairTable128(0), d);
                c1 += Lookup128(PairTable128(1), d);
                c2 += Lookup128(PairTable128(2), d);
                c3 += Lookup128(PairTable128(3), d);
                c4 += Lookup128(PairTable128(4), d);
                c5 += Lookup128(PairTable128(5), d);
                c6 += Lookup128(PairTable128(6), d);
                c7 += Lookup128(PairTable128(7), d);
            }

            ref ulong all = ref MemoryMarshal.GetReference(sums);
            Add128(ref all, 0, c0);
            Add128(ref all, 1, c1);
            Add128(ref all, 2, c2);
            Add128(ref all, 3, c3);
            Add128(ref all, 4, c4);
            Add128(ref all, 5, c5);
            Add128(ref all, 6, c6);
            Add128(ref all, 7, c7);
        }

        /// <summary>
        /// The 128-bit table index of window offsets <paramref name="d"/>: on x86 as <see cref="TableIndex512"/> (bit 7 set
        /// past 15, which pshufb reads as 0); elsewhere 16 past 15, which <see cref="Vector128.Shuffle(Vector128{byte}, Vector128{byte})"/>
        /// (a table lookup on Arm64) reads as 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<byte> TableIndex128(Vector128<byte> d)
            => Ssse3.IsSupported ? Sse2.AddSaturate(d, Vector128.Create((byte)0x70)) : Vector128.Min(d, Vector128.Create((byte)16));

        /// <summary>One byte lookup of <paramref name="index"/> (from <see cref="TableIndex128"/>) in <paramref name="table"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<byte> Lookup128(Vector128<byte> table, Vector128<byte> index)
            => Ssse3.IsSupported ? Ssse3.Shuffle(table, index) : Vector128.Shuffle(table, index);

        /// <summary>The 128-bit <see cref="PairTable512"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<byte> PairTable128(int k)
        {
            ulong pair = 0x1001ul << (16 * (k & 3));
            return k < 4 ? Vector128.Create(pair, 0).AsByte() : Vector128.Create(0, pair).AsByte();
        }

        /// <summary>Adds a 128-bit pair counter's byte sum and low-nibble sum into the first lane of pair <paramref name="pair"/>'s sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Add128(ref ulong sums, int pair, Vector128<byte> c)
        {
            Unsafe.Add(ref sums, 8 * pair) += ByteSum(c);
            Unsafe.Add(ref sums, 8 * (8 + pair)) += ByteSum(c & Vector128.Create((byte)0x0F));
        }

        /// <summary>Sum of the bytes (each at most 240, so the 16-bit lanes cannot overflow).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong ByteSum(Vector128<byte> v)
        {
            var (lo, hi) = Vector128.Widen(v);
            return Vector128.Sum(lo + hi);
        }

        /// <summary>
        /// Ends a block of <paramref name="groups"/> groups at <paramref name="src"/> (its pair counts already added): counts its
        /// outside elements one by one; returns whether there were so many that the window should move (<see cref="MoveWindow"/>).
        /// </summary>
        public bool EndBlock(ref float src, int groups)
        {
            int outside = 0;
            ref uint bits = ref Unsafe.As<float, uint>(ref src);
            ref ulong mask = ref MemoryMarshal.GetReference(masks);
            for (int g = 0; g < groups; g++)
            {
                if (Unsafe.Add(ref mask, g) is var lanes and not 0)
                {
                    outside += CountLanes(ref Unsafe.Add(ref bits, groupElements * g), lanes, groupElements / 4, scratch);
                }
            }

            oneByOne += outside;
            return outside > RecenterThreshold;
        }

        /// <summary>Moves the window under <paramref name="maxBits"/> (an absolute bit pattern), after adding the counts so far to the tables.</summary>
        public void MoveWindow(int maxBits)
        {
            Reduce();
            Window = WindowBelow(maxBits);
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

        /// <summary>Adds a 512-bit pair counter's byte sums and low-nibble sums into pair <paramref name="pair"/>'s sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Add512(ref ulong sums, int pair, Vector512<byte> c)
        {
            Unsafe.As<ulong, Vector512<ulong>>(ref Unsafe.Add(ref sums, 8 * pair)) += Sad(c);
            Unsafe.As<ulong, Vector512<ulong>>(ref Unsafe.Add(ref sums, 8 * (8 + pair))) += Sad(c & Vector512.Create((byte)0x0F));
        }

        /// <summary>Adds a 256-bit pair counter's byte sums and low-nibble sums into the first four lanes of pair <paramref name="pair"/>'s sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Add256(ref ulong sums, int pair, Vector256<byte> c, Vector256<byte> nibble)
        {
            ref var all = ref Unsafe.As<ulong, Vector256<ulong>>(ref Unsafe.Add(ref sums, 8 * pair));
            ref var low = ref Unsafe.As<ulong, Vector256<ulong>>(ref Unsafe.Add(ref sums, 8 * (8 + pair)));
            all += Avx2.SumAbsoluteDifferences(c, Vector256<byte>.Zero).AsUInt64();
            low += Avx2.SumAbsoluteDifferences(c & nibble, Vector256<byte>.Zero).AsUInt64();
        }

        /// <summary>Moves the sums into the slots of the current window.</summary>
        private void Reduce()
        {
            ref int slots = ref Unsafe.Add(ref MemoryMarshal.GetReference(scratch), Window + 1);
            for (int pair = 0; pair < 8; pair++)
            {
                ulong all = 0, even = 0;
                for (int lane = 0; lane < 8; lane++)
                {
                    all += sums[(8 * pair) + lane];
                    even += sums[(8 * (8 + pair)) + lane];
                }

                // Each byte held (even count) + 16 x (odd count).
                ulong odd = (all - even) >> 4;
                Unsafe.Add(ref slots, 2 * pair) += (int)even;
                Unsafe.Add(ref slots, (2 * pair) + 1) += (int)odd;
                inside += (long)(even + odd);
            }

            sums.Clear();
        }

        /// <summary>The window whose highest exponent is one above that of <paramref name="maxBits"/> (an absolute bit pattern).</summary>
        private static byte WindowBelow(int maxBits) => (byte)Math.Max(Math.Min((maxBits >>> 23) + 1, 254) - WindowExponents + 1, 1);
    }

    /// <summary>
    /// Counts, by raw exponent, the elements of one group whose exponent byte sits at the set bits of <paramref name="lanes"/>;
    /// returns how many. The packs put byte 16L + r at element <paramref name="vectorElements"/> × (r / 4) + 4L + r % 4
    /// (4 elements of each source vector per 128-bit lane).
    /// </summary>
    private static int CountLanes(ref uint group, ulong lanes, int vectorElements, Span<int> scratch)
    {
        ref int t0 = ref MemoryMarshal.GetReference(scratch);
        int count = BitOperations.PopCount(lanes);
        while (lanes != 0)
        {
            int b = BitOperations.TrailingZeroCount(lanes);
            int r = b & 15;
            Unsafe.Add(ref t0, FloatSlot(Unsafe.Add(ref group, (vectorElements * (r >> 2)) + (4 * (b >> 4)) + (r & 3))))++;
            lanes &= lanes - 1;
        }

        return count;
    }

    /// <summary>Sums of absolute differences against zero: the sum of each 64-bit lane's bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Sad(Vector512<byte> v) => Avx512BW.SumAbsoluteDifferences(v, Vector512<byte>.Zero).AsUInt64();

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
