namespace GradientWatch.Tests.Support;

internal static class Approx
{
    /// <summary>Asserts |actual − expected| ≤ rel·|expected| (+ abs), treating NaN == NaN and equal infinities as equal.</summary>
    public static void Equal(double expected, double actual, double rel = 1e-5, double abs = 0, string? what = null)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}");
            return;
        }

        if (double.IsInfinity(expected))
        {
            Assert.True(expected == actual, $"{what}: expected {expected}, got {actual}");
            return;
        }

        double tolerance = (rel * Math.Abs(expected)) + abs;
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (|diff| {Math.Abs(actual - expected):R} > {tolerance:R})");
    }
}
