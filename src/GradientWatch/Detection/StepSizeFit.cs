namespace GradientWatch.Detection;

/// <summary>
/// Cockpit's α (Schneider et al. 2021): where a step landed on a 1-D quadratic fitted to the loss and
/// directional slope at its start (τ = 0) and end (τ = 1). With τ* the fitted minimum, α = (1 − τ*) / τ*:
/// 0 lands at the minimum, −1 does not move, +1 lands as high on the far side as it started, above 1 diverges.
/// </summary>
internal static class StepSizeFit
{
    /// <summary>
    /// Least-squares fit of q(τ) = aτ² + bτ + c to q(0) = <paramref name="loss0"/>, q(1) = <paramref name="loss1"/>,
    /// q'(0) = <paramref name="slope0"/>, q'(1) = <paramref name="slope1"/>. Losses may be null (slopes only).
    /// Returns NaN when the fit is not a bowl (a ≤ 0) or the minimum lies behind the start.
    /// </summary>
    public static double Alpha(double? loss0, double? loss1, double slope0, double slope1)
    {
        if (!double.IsFinite(slope0) || !double.IsFinite(slope1))
        {
            return double.NaN;
        }

        double a, b;
        if (loss0 is { } l0 && loss1 is { } l1 && double.IsFinite(l0) && double.IsFinite(l1))
        {
            // Normal equations of the 4×3 system rows (0,0,1)·L0, (1,1,1)·L1, (0,1,0)·g0, (2,1,0)·g1.
            double[,] m = { { 5, 3, 1 }, { 3, 3, 1 }, { 1, 1, 2 } };
            double[] r = { l1 + (2 * slope1), l1 + slope0 + slope1, l0 + l1 };
            var x = Solve3(m, r);
            (a, b) = (x[0], x[1]);
        }
        else
        {
            // Slopes only: q'(τ) = 2aτ + b through both slopes.
            (a, b) = ((slope1 - slope0) / 2, slope0);
        }

        if (!(a > 0))
        {
            return double.NaN;
        }

        double tauStar = -b / (2 * a);
        return tauStar > 0 ? (1 - tauStar) / tauStar : double.NaN;
    }

    private static double[] Solve3(double[,] m, double[] r)
    {
        double det = Det(m);
        var x = new double[3];
        for (int col = 0; col < 3; col++)
        {
            var c = (double[,])m.Clone();
            for (int row = 0; row < 3; row++)
            {
                c[row, col] = r[row];
            }

            x[col] = Det(c) / det;
        }

        return x;
    }

    private static double Det(double[,] m)
        => (m[0, 0] * ((m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1])))
         - (m[0, 1] * ((m[1, 0] * m[2, 2]) - (m[1, 2] * m[2, 0])))
         + (m[0, 2] * ((m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0])));
}
