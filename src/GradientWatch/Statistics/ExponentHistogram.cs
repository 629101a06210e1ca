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

    /// <summary>Exponents counted with byte compares: a window this wide, ending at the block's largest exponent.</summary>
    public const int WindowExponents = 16;

    /// <summary>
    /// Counts the raw exponent fields of a float32 block with 512-bit vectors: the exponent bytes of 64 elements at a time
    /// (from saturating packs, which reorder the elements; counting does not care) are compared against the
    /// <see cref="WindowExponents"/> exponents just below the block's largest (<paramref name="maxBits"/>), where nearly all of
    /// a gradient's mass lies, each compare adding to a byte counter under its mask. Elements outside the window are only
    /// counted; when the block has any besides zeros, it is re-read for them. <paramref name="zeros"/> is the block's exact
    /// zero count from the moments, which splits zeros from subnormals.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CountFloat512(ReadOnlySpan<float> block, int maxBits, long zeros, Span<int> scratch, Span<long> histogram)
    {
        if (!Avx512BW.IsSupported)
        {
            CountFloat256(block, maxBits, zeros, scratch, histogram);
            return;
        }

        int w = Math.Max(Math.Min(maxBits >>> 23, 254) - WindowExponents + 1, 1);
        ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(block));
        var window = Vector512.Create((byte)w);
        var last = Vector512.Create((byte)(WindowExponents - 1));
        var low = Vector512.Create((ushort)0xFF);
        Vector512<byte> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<byte> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        Vector512<byte> outside = default;
        var one = Vector512<byte>.One;
        int n = block.Length - (block.Length % 64);
        for (int i = 0; i < n; i += 64)
        {
            var e0 = Vector512.ShiftRightLogical(Unsafe.ReadUnaligned<Vector512<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i))), 23);
            var e1 = Vector512.ShiftRightLogical(Unsafe.ReadUnaligned<Vector512<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i + 16))), 23);
            var e2 = Vector512.ShiftRightLogical(Unsafe.ReadUnaligned<Vector512<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i + 32))), 23);
            var e3 = Vector512.ShiftRightLogical(Unsafe.ReadUnaligned<Vector512<uint>>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref src, i + 48))), 23);

            // The sign bit (bit 8 after the shift) is masked off at 16 bits, where one AND covers 32 elements; values stay below
            // 256, so neither pack saturates.
            var w01 = Avx512BW.PackUnsignedSaturate(e0.AsInt32(), e1.AsInt32()) & low;
            var w23 = Avx512BW.PackUnsignedSaturate(e2.AsInt32(), e3.AsInt32()) & low;
            var e = Avx512BW.PackUnsignedSaturate(w01.AsInt16(), w23.AsInt16());
            var d = e - window;
            c0 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)0)), c0 + one, c0);
            c1 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)1)), c1 + one, c1);
            c2 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)2)), c2 + one, c2);
            c3 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)3)), c3 + one, c3);
            c4 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)4)), c4 + one, c4);
            c5 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)5)), c5 + one, c5);
            c6 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)6)), c6 + one, c6);
            c7 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)7)), c7 + one, c7);
            c8 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)8)), c8 + one, c8);
            c9 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)9)), c9 + one, c9);
            c10 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)10)), c10 + one, c10);
            c11 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)11)), c11 + one, c11);
            c12 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)12)), c12 + one, c12);
            c13 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)13)), c13 + one, c13);
            c14 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)14)), c14 + one, c14);
            c15 = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512.Create((byte)15)), c15 + one, c15);
            outside = Vector512.ConditionalSelect(Vector512.GreaterThan(d, last), outside + one, outside);
        }

        // Sums of absolute differences give 8 partial counts per bucket (each below 2^12); four buckets share a vector at
        // 16-bit offsets, so four horizontal sums finish all sixteen.
        var p0 = Sad(c0) | (Sad(c1) << 16) | (Sad(c2) << 32) | (Sad(c3) << 48);
        var p1 = Sad(c4) | (Sad(c5) << 16) | (Sad(c6) << 32) | (Sad(c7) << 48);
        var p2 = Sad(c8) | (Sad(c9) << 16) | (Sad(c10) << 32) | (Sad(c11) << 48);
        var p3 = Sad(c12) | (Sad(c13) << 16) | (Sad(c14) << 32) | (Sad(c15) << 48);
        ulong q0 = Vector512.Sum(p0), q1 = Vector512.Sum(p1), q2 = Vector512.Sum(p2), q3 = Vector512.Sum(p3);
        ref int slots = ref Unsafe.Add(ref MemoryMarshal.GetReference(scratch), w + 1);
        for (int j = 0; j < 4; j++)
        {
            Unsafe.Add(ref slots, j) += (int)((q0 >> (16 * j)) & 0xFFFF);
            Unsafe.Add(ref slots, 4 + j) += (int)((q1 >> (16 * j)) & 0xFFFF);
            Unsafe.Add(ref slots, 8 + j) += (int)((q2 >> (16 * j)) & 0xFFFF);
            Unsafe.Add(ref slots, 12 + j) += (int)((q3 >> (16 * j)) & 0xFFFF);
        }

        FinishBlock(block, n, w, (long)Vector512.Sum(Sad(outside)), zeros, scratch, histogram);
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
