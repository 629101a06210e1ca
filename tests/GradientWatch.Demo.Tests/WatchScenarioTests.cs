using Spectre.Console.Testing;

namespace GradientWatch.Demo.Tests;

/// <summary>
/// The watch scenario at full speed (<c>--pace 0</c>), checking the story the README tells: a healthy start, an exploding
/// phase answered by clipping and a lower learning rate, two NaN steps that are skipped, and a run that finishes.
/// (Its real-time pacing against Prometheus is tested live in GradientWatch.OpenTelemetry.Tests.DemoLiveTests.)
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class WatchScenarioTests : IDisposable
{
    private readonly string output = Path.Combine(Path.GetTempPath(), "gradientwatch-watch-tests-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void TheWatchRunExplodesInItsSurgeIsRemediedSkipsItsNanStepsAndFinishes()
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        int code = new DemoApp(console, new DemoEnvironment { IsTerminal = false }).Run(["watch", "--pace", "0", "--no-metrics", "--out", output]);
        Assert.True(code == 0, console.Output);

        var events = File.ReadLines(Path.Combine(output, "watch", "events.jsonl")).Where(l => l.Length > 0).Select(GradientEvent.ParseJson).ToArray();
        var steps = StepTable.Read(Path.Combine(output, "watch", "steps.csv"));
        var rows = steps.Run("watch").ToArray();
        Assert.Equal(360, rows.Length);
        var (from, to, nan) = Scenarios.WatchScenario.Phases(rows.Length);
        Assert.Equal(16, to - from);
        Assert.Equal(10, Scenarios.WatchScenario.SurgeGain);

        // The exploding phase: flagged, clipped, the learning rate halved.
        Assert.Contains(events, e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Exploding && e.Step >= from && e.Step < to);
        Assert.Contains(events, e => e.Remedy == "clip_global_norm" && e.Step >= from && e.Step < to);
        Assert.Contains(events, e => e.Remedy == "reduce_lr" && e.Step >= from && e.Step < to + 5);
        double before = steps.Value(rows[from - 2], "learning_rate");
        Assert.True(steps.Value(rows[to], "learning_rate") < before);

        // The NaN steps: detected and skipped, exactly those.
        Assert.Equal(nan, events.Where(e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.NonFinite).Select(e => (int)e.Step).ToArray());
        Assert.Equal(nan, events.Where(e => e.Remedy == "skip_step").Select(e => (int)e.Step).ToArray());

        // Training comes back: a finite final loss, lower than during the surge and than at the start.
        double final = steps.FinalLoss("watch");
        Assert.True(double.IsFinite(final));
        Assert.True(final < steps.Value(rows[0], "loss"));
        Assert.True(final < steps.Value(rows[from], "loss"));
        Assert.Contains("training finished", console.Output);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(output, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
