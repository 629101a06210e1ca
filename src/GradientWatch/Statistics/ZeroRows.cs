using System.Numerics;

namespace GradientWatch.Statistics;

/// <summary>
/// Counts the rows of a row-major tensor (its dim-0 slices) whose elements are all exactly zero. For a layer's gradient
/// a row is one unit (the row of a weight matrix, an output channel of a convolution, one element of a bias or a norm
/// scale), and a zero row is a unit that no example of the batch sent any gradient through: a dead ReLU, for example.
/// A live row usually ends the scan at its first element, so this reads little more than one element per row.
/// </summary>
internal static class ZeroRows
{
    /// <summary>Rows of <paramref name="values"/> (split into <paramref name="rows"/> equal rows) that are all ±0. NaN is not zero.</summary>
    public static long Count<T>(ReadOnlySpan<T> values, long rows)
        where T : unmanaged, INumberBase<T>
    {
        if (rows <= 0 || values.Length == 0 || values.Length % rows != 0)
        {
            return 0;
        }

        int length = (int)(values.Length / rows);
        long zero = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * length, length);
            bool allZero = true;
            foreach (var v in row)
            {
                if (!T.IsZero(v))
                {
                    allZero = false;
                    break;
                }
            }

            zero += allZero ? 1 : 0;
        }

        return zero;
    }
}
