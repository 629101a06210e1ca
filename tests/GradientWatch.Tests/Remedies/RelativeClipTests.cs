using GradientWatch.Remedies;

namespace GradientWatch.Tests.Remedies;

/// <summary><c>ClipRelativeNorm</c>: the running median it clips against, and the remedy on real tensors.</summary>
public sealed class RelativeClipTests
{
    [Fact]
    public void TheRunningMedianHoldsTheLastValuesOnly()
    {
        var median = new RunningMedian(3);
        Assert.True(double.IsNaN(median.Median()));
        median.Add(5);
        Assert.Equal(5, median.Median());
        median.Add(1);
        Assert.Equal(3, median.Median()); // even count: mean of the middle two
        median.Add(double.NaN);
        median.Add(double.PositiveInfinity);
        Assert.Equal(2, median.Count);    // non-finite values are ignored
        median.Add(2);
        Assert.Equal(2, median.Median()); // {5, 1, 2}
        median.Add(10);
        median.Add(11);
        Assert.Equal(3, median.Count);
        Assert.Equal(10, median.Median()); // {2, 10, 11}: 5 and 1 dropped
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunningMedian(0));
    }

    [Fact]
    public void ClipsToFactorTimesTheRecentMedianAndRecordsTheLimit()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using var watch = fixture.Watch(w => w.DetectExploding(o => o.Enabled = false).ClipRelativeNorm(factor: 2, window: 3));
        double Step(float norm)
        {
            fixture.SetGradients(new float[,] { { norm, 0 }, { 0, 0 } }, new float[] { 0, 0 });
            return watch.Step(1.0).GlobalGradientNormAfterRemedies;
        }

        Assert.Equal(8, Step(8), 5);   // the first step only seeds the history, however large
        Assert.Equal(1, Step(1), 5);   // history {8, 1}
        Assert.Equal(9, Step(9), 5);   // median 4.5, limit 9: not above it; history {8, 1, 9}
        Assert.Equal(16, Step(40), 4); // median 8, limit 16: clipped, and 16 (not 40) enters the history {1, 9, 16}
        Assert.Equal(18, Step(30), 4); // median 9, limit 18
        var clips = watch.History.Where(e => e.Remedy == "clip_relative").ToList();
        Assert.Equal(new long[] { 4, 5 }, clips.Select(e => e.Step));
        Assert.Equal(40, clips[0].ObservedValue!.Value, 4);
        Assert.Equal(16, clips[0].Threshold!.Value, 4);
        Assert.Equal(8, clips[0].Details["median_norm"], 4);
        Assert.All(clips, e => Assert.Null(e.Kind)); // no issue on those steps: the clip names none
    }

    [Fact]
    public void AClipOnADivergingStepNamesTheExplodingIssueAndANonFiniteNormIsLeftAlone()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using var watch = fixture.Watch(w => w.ClipRelativeNorm());
        fixture.SetGradients(new float[,] { { 0.3f, 0 }, { 0, 0 } }, new float[] { 0.4f, 0 }); // norm 0.5, loss 1
        watch.Step(1.0);
        fixture.SetGradients(new float[,] { { 30, 0 }, { 0, 0 } }, new float[] { 40, 0 });     // norm 50 (100×), loss 10×: divergence
        var s = watch.Step(10.0);
        Assert.Equal(5.0, s.GlobalGradientNormAfterRemedies, 4);                               // 10 × the median 0.5
        var clip = Assert.Single(watch.History, e => e.Remedy == "clip_relative");
        Assert.Equal(GradientIssueKind.Exploding, clip.Kind);
        Assert.Contains(watch.History, e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Exploding && e.Step == clip.Step);

        fixture.SetGradients(new float[,] { { float.NaN, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        watch.Step(1.0);
        Assert.Single(watch.History, e => e.Remedy == "clip_relative");
    }
}
