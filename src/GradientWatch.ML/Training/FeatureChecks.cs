using System.Numerics;

namespace GradientWatch.ML.Training;

/// <summary>Vectorized finiteness check for a row of features.</summary>
internal static class FeatureChecks
{
    /// <summary>True when every value is finite: x - x is 0 for finite x and NaN for NaN and ±Inf.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var zero = Vector<float>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i, Vector<float>.Count));
                if (!Vector.EqualsAll(v - v, zero))
                {
                    return false;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }
}
