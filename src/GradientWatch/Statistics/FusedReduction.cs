using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GradientWatch.Statistics;

/// <summary>
/// Single-pass, vectorized reductions over gradient memory. Each call reads the data once and
/// produces every statistic GradientWatch reports. Work is split into blocks of a few hundred
/// elements accumulated in the element type, then folded into double-precision totals; a block
/// whose values could overflow or underflow in the element type, or that holds NaN/Inf, is
/// re-read in double precision, so the results match a double-precision reference.
/// </summary>
internal static class FusedReduction
{
    private const int VectorsPerBlock = 32;

    // A float block is accumulated in float only when every |x| lies in this range (or is zero):
    // squares then stay normal floats and 32 of them per lane cannot overflow.
    private const float FloatSafeMin = 1e-18f;
    private const float FloatSafeMax = 1e18f;
    private const double DoubleSafeMin = 1e-140;
    private const double DoubleSafeMax = 1e140;

    /// <summary>All statistics in one pass over <paramref name="data"/>.</summary>
    public static GradientMoments Full(ReadOnlySpan<float> data) => Reduce(data, full: true);

    /// <summary>Sum of squares, max |x| and exact NaN/Inf counts in one pass (no sum, no zero count).</summary>
    public static GradientMoments NormOnly(ReadOnlySpan<float> data) => Reduce(data, full: false);

    /// <summary>All statistics in one pass over <paramref name="data"/>.</summary>
    public static GradientMoments Full(ReadOnlySpan<double> data) => Reduce(data, full: true);

    /// <summary>Sum of squares, max |x| and exact NaN/Inf counts in one pass.</summary>
    public static GradientMoments NormOnly(ReadOnlySpan<double> data) => Reduce(data, full: false);

    private static GradientMoments Reduce(ReadOnlySpan<float> data, bool full)
    {
        var m = new GradientMoments { Count = data.Length, NormOnly = !full };
        int i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<float>.Count * VectorsPerBlock)
        {
            int width = Vector<float>.Count;
            int block = width * VectorsPerBlock;
            ref float origin = ref MemoryMarshal.GetReference(data);
            for (; i + block <= data.Length; i += block)
            {
                var vsum = Vector<float>.Zero;
                var vsq = Vector<float>.Zero;
                var vmax = Vector<float>.Zero;
                var vzero = Vector<int>.Zero;
                ref float b = ref Unsafe.Add(ref origin, i);
                if (full)
                {
                    for (int k = 0; k < block; k += width)
                    {
                        var v = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref b, k)));
                        vsum += v;
                        vsq += v * v;
                        vmax = Vector.Max(vmax, Vector.Abs(v));
                        vzero += Vector.Equals(v, Vector<float>.Zero);
                    }
                }
                else
                {
                    for (int k = 0; k < block; k += width)
                    {
                        var v = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref b, k)));
                        vsq += v * v;
                        vmax = Vector.Max(vmax, Vector.Abs(v));
                    }
                }

                double bsq = 0, bsum = 0;
                float bmax = 0;
                for (int l = 0; l < width; l++)
                {
                    bsq += vsq[l];
                    bsum += vsum[l];
                    if (vmax[l] > bmax)
                    {
                        bmax = vmax[l];
                    }
                }

                bool safe = double.IsFinite(bsq) && double.IsFinite(bsum) && (bmax == 0f || (bmax >= FloatSafeMin && bmax <= FloatSafeMax));
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
        }

        return m;
    }

    private static GradientMoments Reduce(ReadOnlySpan<double> data, bool full)
    {
        var m = new GradientMoments { Count = data.Length, NormOnly = !full };
        int i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<double>.Count * VectorsPerBlock)
        {
            int width = Vector<double>.Count;
            int block = width * VectorsPerBlock;
            ref double origin = ref MemoryMarshal.GetReference(data);
            for (; i + block <= data.Length; i += block)
            {
                var vsum = Vector<double>.Zero;
                var vsq = Vector<double>.Zero;
                var vmax = Vector<double>.Zero;
                var vzero = Vector<long>.Zero;
                ref double b = ref Unsafe.Add(ref origin, i);
                for (int k = 0; k < block; k += width)
                {
                    var v = Unsafe.ReadUnaligned<Vector<double>>(ref Unsafe.As<double, byte>(ref Unsafe.Add(ref b, k)));
                    vsq += v * v;
                    vmax = Vector.Max(vmax, Vector.Abs(v));
                    if (full)
                    {
                        vsum += v;
                        vzero += Vector.Equals(v, Vector<double>.Zero);
                    }
                }

                double bsq = Vector.Sum(vsq);
                double bsum = Vector.Sum(vsum);
                double bmax = 0;
                for (int l = 0; l < width; l++)
                {
                    if (vmax[l] > bmax)
                    {
                        bmax = vmax[l];
                    }
                }

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

    /// <summary>Σ(a−b)² in double precision, vectorized in blocks.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Spans must have the same length.", nameof(b));
        }

        double total = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            int block = width * VectorsPerBlock;
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            for (; i + block <= a.Length; i += block)
            {
                var acc = Vector<float>.Zero;
                for (int k = 0; k < block; k += width)
                {
                    var va = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref ra, i + k)));
                    var vb = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref rb, i + k)));
                    var d = va - vb;
                    acc += d * d;
                }

                double s = 0;
                for (int l = 0; l < width; l++)
                {
                    s += acc[l];
                }

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
}
