using System.Globalization;
using ScottPlot;

namespace GradientWatch.Demo.Reporting;

/// <summary>A log₁₀ vertical axis for ScottPlot: values are plotted as log₁₀(v), ticks are labelled as powers of ten.</summary>
internal static class LogAxis
{
    /// <summary>log₁₀ of <paramref name="value"/>, or NaN when it is not a positive finite number.</summary>
    public static double Log(double value) => double.IsFinite(value) && value > 0 ? Math.Log10(value) : double.NaN;

    /// <summary>
    /// Labels <paramref name="axis"/> as a log scale for the plotted log₁₀ values <paramref name="logValues"/>: ticks at
    /// powers of ten (1e-3, 1e-2…) when the data spans a decade or more; within less than a decade, where no power of
    /// ten may fall inside the data, ticks between them labelled with their values (2.5, 3…), so the axis always has labels.
    /// </summary>
    public static void Apply(IYAxis axis, IEnumerable<double> logValues)
    {
        var finite = logValues.Where(double.IsFinite).ToArray();
        double span = finite.Length == 0 ? 0 : finite.Max() - finite.Min();
        axis.TickGenerator = finite.Length > 0 && span < 1
            ? new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Label }
            : new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => "1e" + Math.Round(y).ToString("0", CultureInfo.InvariantCulture),
            };
    }

    /// <summary>The label of the tick at log₁₀ value <paramref name="y"/>: the value itself, with 3 significant digits.</summary>
    public static string Label(double y) => Math.Pow(10, y).ToString("G3", CultureInfo.InvariantCulture);
}
