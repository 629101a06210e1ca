namespace GradientWatch.Tests.Support;

/// <summary>A deliberately straightforward double-precision reference for every statistic.</summary>
internal sealed record ReferenceStatistics(long Count, long NanCount, long InfCount, long ZeroCount, double Norm, double MaxAbs, double Mean, double StandardDeviation)
{
    public double ZeroFraction => Count == 0 ? double.NaN : (double)ZeroCount / Count;

    public static ReferenceStatistics Of(IEnumerable<double> values)
    {
        var all = values.ToArray();
        long nan = all.LongCount(double.IsNaN);
        long inf = all.LongCount(double.IsInfinity);
        long zero = all.LongCount(v => v == 0);
        var finite = all.Where(double.IsFinite).ToArray();
        double maxAbs = all.Where(v => !double.IsNaN(v)).Select(Math.Abs).DefaultIfEmpty(0).Max();

        // Scaled sum of squares so that huge double values do not overflow the reference itself.
        double scale = finite.Select(Math.Abs).DefaultIfEmpty(0).Max();
        double norm;
        if (nan > 0)
        {
            norm = double.NaN;
        }
        else if (inf > 0)
        {
            norm = double.PositiveInfinity;
        }
        else if (scale == 0)
        {
            norm = 0;
        }
        else
        {
            double ssq = finite.Sum(v => (v / scale) * (v / scale));
            norm = scale * Math.Sqrt(ssq);
        }

        double mean = finite.Length == 0 ? double.NaN : finite.Average();
        double std = finite.Length == 0 ? double.NaN : Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / finite.Length);
        return new ReferenceStatistics(all.LongLength, nan, inf, zero, norm, maxAbs, mean, std);
    }

    public static ReferenceStatistics Of(IEnumerable<float> values) => Of(values.Select(v => (double)v));
}
