using GradientWatch.Statistics;

namespace GradientWatch.Tests.Statistics;

public sealed class ZeroRowsTests
{
    [Fact]
    public void CountsRowsWhoseEveryElementIsZero()
    {
        float[] g =
        [
            0, 0, 0,
            0, 0, 1e-30f, // one tiny element keeps a row alive
            -0f, 0, 0,    // negative zero is zero
            float.NaN, 0, 0,
        ];
        Assert.Equal(2, ZeroRows.Count<float>(g, 4));
        Assert.Equal(0, ZeroRows.Count<float>(g, 1));
        Assert.Equal(10, ZeroRows.Count<double>(new double[10], 10)); // a bias: one element per unit
    }

    [Fact]
    public void ARowCountThatDoesNotDivideTheTensorCountsNothing()
        => Assert.Equal(0, ZeroRows.Count<float>(new float[10], 3));
}
