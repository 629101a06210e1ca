namespace GradientWatch.Demo.Tests;

/// <summary>Each scenario's outputs show what the scenario is about.</summary>
[Collection(DemoCollection.Name)]
public sealed class ScenarioOutputTests
{
    private readonly DemoFixture demo;

    public ScenarioOutputTests(DemoFixture demo) => this.demo = demo;

    [Fact]
    public void TheDemoSucceeds()
    {
        Assert.True(demo.ExitCode == 0, demo.Text);
        foreach (var scenario in new[] { "healthy", "exploding", "vanishing", "nan", "compare" })
        {
            Assert.True(File.Exists(Path.Combine(demo.Dir(scenario), "report.html")), scenario);
            Assert.True(File.Exists(Path.Combine(demo.Dir(scenario), "events.jsonl")), scenario);
            Assert.True(File.Exists(Path.Combine(demo.Dir(scenario), "steps.csv")), scenario);
        }

        Assert.True(File.Exists(Path.Combine(demo.Output, "index.html")));
    }

    [Fact]
    public void ExplodingHasExplodingEventsAndClippingAndItsLossStaysFinite()
    {
        var events = demo.Events("exploding");
        Assert.Contains(events, e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Exploding && e.Severity == GradientEventSeverity.Error);
        Assert.True(events.Count(e => e.Remedy == "clip_global_norm") > 10);
        Assert.Contains(events, e => e.Remedy == "reduce_lr");

        var steps = demo.Steps("exploding");
        var rows = steps.Run("exploding").ToArray();
        Assert.Equal(DemoFixture.Epochs * 8, rows.Length);
        Assert.All(rows, r => Assert.True(double.IsFinite(steps.Value(r, "loss"))));
        Assert.All(rows, r => Assert.True(steps.Value(r, "global_norm_after_remedies") <= 1.0 + 1e-4));
        Assert.True(steps.Value(rows[^1], "learning_rate") < 0.3);
        Assert.Contains("exploding (error)", demo.Text);
    }

    [Fact]
    public void ExplodingShowsTheOvershootSignal()
    {
        // Issue 8: the step-size instrument is on in the exploding setup and α is recorded. Issue 11: overshooting is
        // flagged on the unprotected run, whose loss does not converge, and stays quiet on the remedied run while its
        // loss converges (it used to raise 32 warnings there).
        var steps = demo.Steps("exploding");
        var alphas = steps.Run("exploding").Select(r => steps.Value(r, "step_size_alpha")).Where(double.IsFinite).ToArray();
        Assert.True(alphas.Length > DemoFixture.Epochs * 4, $"only {alphas.Length} steps measured α");
        Assert.Contains(demo.Events("compare"), e => e.RunId == "compare-without" && e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Overshooting);
        Assert.DoesNotContain(demo.Events("exploding"), e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Overshooting);
        Assert.True(File.Exists(Path.Combine(demo.Dir("exploding"), "step-size.png")));
    }

    [Fact]
    public void VanishingFlagsTheEarlyLayersWithAdviceNamingTheActivations()
    {
        var vanishing = demo.Events("vanishing").Where(e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Vanishing).ToArray();
        Assert.NotEmpty(vanishing);
        Assert.All(vanishing, e => Assert.Contains("fc1", e.Layers));
        Assert.All(vanishing, e => Assert.DoesNotContain("fc12", e.Layers));
        Assert.Contains(vanishing, e => e.Advice is { } a && a.Contains("Sigmoid", StringComparison.Ordinal));
        Assert.Contains("Sigmoid activations", demo.Text);
        Assert.DoesNotContain(demo.Events("vanishing"), e => e.Severity >= GradientEventSeverity.Error);
    }

    [Fact]
    public void NanSkipsTheInjectedStepsAndTrainingFinishes()
    {
        var events = demo.Events("nan");
        var nonFinite = events.Where(e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.NonFinite).ToArray();
        Assert.Equal(2, nonFinite.Length);
        Assert.Equal(nonFinite.Select(e => e.Step), events.Where(e => e.Remedy == "skip_step").Select(e => e.Step));

        var steps = demo.Steps("nan");
        var rows = steps.Run("nan").ToArray();
        Assert.Equal(DemoFixture.Epochs * 8, rows.Length);
        Assert.Equal(2, rows.Count(r => r[Array.IndexOf(steps.Header.ToArray(), "skipped")] == "true"));
        Assert.True(double.IsFinite(steps.FinalLoss("nan")));
        Assert.True(steps.FinalLoss("nan") < steps.Value(rows[0], "loss"));
    }

    [Fact]
    public void HealthyHasNoErrorSeverityIssues()
    {
        var events = demo.Events("healthy");
        Assert.DoesNotContain(events, e => e.Type == GradientEventType.Issue && e.Severity >= GradientEventSeverity.Error);
        var steps = demo.Steps("healthy");
        Assert.True(steps.FinalLoss("healthy") < 0.5 * steps.Value(steps.Run("healthy").First(), "loss"));
        Assert.Contains("no gradient issues", demo.Text);
    }

    [Fact]
    public void CompareShowsTheRemediedRunEndingWithALowerLoss()
    {
        var steps = demo.Steps("compare");
        double without = steps.FinalLoss("compare-without");
        double with = steps.FinalLoss("compare-with");
        Assert.True(double.IsFinite(with));
        Assert.True(!double.IsFinite(without) || with < without, $"with remedies {with}, without {without}");

        var events = demo.Events("compare");
        Assert.DoesNotContain(events, e => e.RunId == "compare-without" && e.Type == GradientEventType.Remedy);
        Assert.Contains(events, e => e.RunId == "compare-without" && e.Kind == GradientIssueKind.Exploding);
        Assert.Contains(events, e => e.RunId == "compare-with" && e.Remedy == "clip_global_norm");
        Assert.True(File.Exists(Path.Combine(demo.Dir("compare"), "compare-loss.png")));
    }

    [Fact]
    public void TheDiagnosisSummarySaysWhatWasFoundAndDone()
    {
        Assert.Contains("Diagnosis", demo.Text);
        Assert.Contains("remedy  clip_global_norm applied on", demo.Text);
        Assert.Contains("remedy  skip_step applied on 2 step(s)", demo.Text);
        Assert.Contains("advice", demo.Text);
        Assert.Matches("without remedies: training (was lost|stalled)", demo.Text);
        Assert.Contains("with remedies: training finished", demo.Text);
    }
}
