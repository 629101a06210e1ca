using System.Globalization;
using ScottPlot;

namespace GradientWatch.Demo.Reporting;

/// <summary>A log₁₀ vertical axis for ScottPlot: values are plotted as log₁₀(v), ticks are labelled as powers of ten.</summary>
internal static class LogAxis
{
    /// <summary>log₁₀ of <paramref name="value"/>, or NaN when it is not a positive finite number.</summary>
    public static double Log(double value) => double.IsFinite(value) && value > 0 ? Math.Log10(value) : double.NaN;

    /// <summary>Labels <paramref name="axis"/> as a log scale.</summary>
    public static void Apply(IYAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => "1e" + Math.Round(y).ToString("0", CultureInfo.InvariantCulture),
        };
    }
}
