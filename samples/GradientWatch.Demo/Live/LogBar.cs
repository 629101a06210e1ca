namespace GradientWatch.Demo.Live;

/// <summary>A text bar whose length is proportional to log₁₀ of a value, between two powers of ten.</summary>
internal static class LogBar
{
    public const int MinExponent = -8;
    public const int MaxExponent = 2;

    /// <summary>Number of filled cells out of <paramref name="width"/> for <paramref name="value"/>.</summary>
    public static int Cells(double value, int width)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        if (double.IsPositiveInfinity(value))
        {
            return width;
        }

        if (value <= 0)
        {
            return 0;
        }

        double position = (Math.Log10(value) - MinExponent) / (MaxExponent - MinExponent);
        return (int)Math.Round(Math.Clamp(position, 0, 1) * width);
    }

    /// <summary>The bar: filled cells, then light cells up to <paramref name="width"/>.</summary>
    public static string Render(double value, int width)
    {
        int filled = Cells(value, width);
        return new string('█', filled) + new string('░', width - filled);
    }
}
