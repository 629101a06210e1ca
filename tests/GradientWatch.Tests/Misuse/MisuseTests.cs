using GradientWatch.Tests.Remedies;
using static GradientWatch.Tests.Events.EventSinkTests;

namespace GradientWatch.Tests.Misuse;

/// <summary>Silent misuse is detected and reported once through the logger; training itself goes on unchanged.</summary>
public sealed class MisuseTests
{
    private static readonly float[,] WeightGradient = { { 0.5f, -0.25f }, { 0.125f, 1 } };
    private static readonly float[] BiasGradient = { 0.1f, 0.2f };

    [Fact]
    public void StepTwiceAfterOneBackwardIsReportedOnce()
    {
        var logger = new CapturingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.1);
        using var watch = fixture.Watch(w => w.UseLoggerFactory(logger));
        fixture.SetGradients(WeightGradient, BiasGradient);
        watch.Step();
        watch.Step();   // no backward in between: the optimizer steps twice on one gradient
        watch.Step();
        Assert.Equal(3, watch.StepCount);
        Assert.Single(logger.Messages, m => m.Contains("Call Step once per backward()", StringComparison.Ordinal));
    }

    [Fact]
    public void OneStepPerBackwardIsNotReported()
    {
        var logger = new CapturingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.1);
        using var watch = fixture.Watch(w => w.UseLoggerFactory(logger));
        for (int i = 0; i < 5; i++)
        {
            fixture.SetGradients(new float[,] { { i + 1, 0 }, { 0, 1 } }, BiasGradient);
            watch.Step();
        }

        // A skipped step clears the gradients; the same values set again afterwards are a new backward.
        Assert.DoesNotContain(logger.Messages, m => m.Contains("backward()", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoWatchersOnOneOptimizerAreReportedAtBuildAndWhenBothStep()
    {
        var logger = new CapturingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.1);
        using var first = fixture.Watch(w => w.UseLoggerFactory(logger));
        using var second = fixture.Watch(w => w.UseLoggerFactory(logger));
        Assert.Single(logger.Messages, m => m.Contains("other live watcher(s) already watch this optimizer", StringComparison.Ordinal));

        fixture.SetGradients(WeightGradient, BiasGradient);
        first.Step();
        second.Step();
        Assert.Single(logger.Messages, m => m.Contains("two watchers stepping one optimizer", StringComparison.Ordinal));
    }

    [Fact]
    public void AWatcherBuiltAfterTheFirstIsDisposedIsNotReported()
    {
        var logger = new CapturingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.1);
        string run = $"run-{Guid.NewGuid():N}";
        fixture.Watch(w => w.Configure(o => o.RunId = run).UseLoggerFactory(logger)).Dispose();
        using var again = fixture.Watch(w => w.Configure(o => o.RunId = run).UseLoggerFactory(logger));
        Assert.DoesNotContain(logger.Messages, m => m.Contains("other live watcher", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoLiveWatchersWithOneRunIdAreReported()
    {
        var logger = new CapturingLoggerFactory();
        string run = $"run-{Guid.NewGuid():N}";
        using var a = new RemedyArithmeticTests.ManualModel();
        using var b = new RemedyArithmeticTests.ManualModel();
        using var first = a.Watch(w => w.Configure(o => o.RunId = run).UseLoggerFactory(logger));
        using var second = b.Watch(w => w.Configure(o => o.RunId = run).UseLoggerFactory(logger));
        Assert.Single(logger.Messages, m => m.Contains($"already use RunId '{run}'", StringComparison.Ordinal));
    }
}
