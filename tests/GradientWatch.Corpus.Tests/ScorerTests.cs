using GradientWatch.Corpus.Runs;
using GradientWatch.Corpus.Scoring;
using static GradientWatch.Corpus.Tests.Trajectories;

namespace GradientWatch.Corpus.Tests;

public sealed class ScorerTests
{
    private static readonly RunSpec Spec = new() { Dataset = "iris" };

    private static ObservedEvent Issue(long step, GradientIssueKind kind, GradientEventSeverity severity = GradientEventSeverity.Error)
        => new(step, false, kind, severity, "test", null, null, "issue");

    private static ObservedEvent Remedy(long step, GradientIssueKind? kind, string name = "clip_global_norm")
        => new(step, true, kind, GradientEventSeverity.Info, null, name, null, "remedy");

    private static CorpusEntry Entry(Trajectory t, IReadOnlyList<ObservedEvent> events, int seed = 0, Trajectory? remedied = null, IReadOnlyList<ObservedEvent>? remedyEvents = null)
    {
        var spec = Spec with { Seed = seed };
        var results = new Dictionary<RemedyConfig, RunResult> { [RemedyConfig.None] = new(spec, RemedyConfig.None, t, events, 0) };
        if (remedied is not null)
        {
            results[RemedyConfig.Recommended] = new(spec, RemedyConfig.Recommended, remedied, remedyEvents ?? [], 0);
        }

        return new CorpusEntry(spec, Labeller.Label(t, 0.1), results, 0.1);
    }

    private static Trajectory Diverging(int nonFiniteStep)
    {
        var losses = Enumerable.Range(1, nonFiniteStep).Select(s => s < nonFiniteStep ? Math.Pow(10, s - 1) : double.NaN).ToArray();
        return Make(losses, 1.0, double.NaN);
    }

    [Fact]
    public void CountsTruePositivesFalsePositivesAndFalseAlarmsPerThousandHealthySteps()
    {
        var healthy = Make(Falling(100), 1.0, 0.12);
        var entries = new[]
        {
            Entry(Diverging(8), [Issue(3, GradientIssueKind.Exploding), Issue(8, GradientIssueKind.NonFinite)]),
            Entry(Diverging(6), []),
            Entry(healthy, [Issue(40, GradientIssueKind.Exploding, GradientEventSeverity.Warning), Issue(41, GradientIssueKind.Exploding, GradientEventSeverity.Warning)], seed: 1),
            Entry(healthy, [], seed: 2),
        };

        var score = Scorer.Score(entries);
        var exploding = score.Detectors.Single(d => d.Kind == GradientIssueKind.Exploding);
        Assert.Equal((1, 1, 1), (exploding.TruePositives, exploding.FalsePositives, exploding.FalseNegatives));
        Assert.Equal(0.5, exploding.Precision);
        Assert.Equal(10.0, exploding.FalseAlarmsPer1000HealthySteps, 9); // 2 alarms over 200 healthy steps
        Assert.Equal(0, score.HealthyRunsWithErrors);
        Assert.Equal(1, exploding.HealthyRunsFlagged);
        Assert.Equal(1.0, score.ExplodingErrorPrecision);

        // Lead time runs to the first non-finite loss (step 8); the unflagged run is listed as missed.
        Assert.Equal(1, score.Exploding.FlaggedBeforeNonFinite);
        Assert.Equal([5], score.Exploding.LeadTimes);
        Assert.Single(score.Exploding.Missed);
    }

    [Fact]
    public void AnAlarmOnTheNonFiniteStepItselfIsTooLate()
    {
        var score = Scorer.Score([Entry(Diverging(5), [Issue(5, GradientIssueKind.Exploding)])]);
        Assert.Equal(0, score.Exploding.FlaggedBeforeNonFinite);
    }

    [Fact]
    public void ErrorSeverityAlarmsOnHealthyRunsAreCounted()
    {
        var score = Scorer.Score([Entry(Make(Falling(100), 1.0, 0.12), [Issue(30, GradientIssueKind.Exploding)])]);
        Assert.Equal(1, score.HealthyRunsWithErrors);
    }

    [Fact]
    public void RemedyEventsNamingAnIssueThatDidNotOccurAreMisattributed()
    {
        var healthy = Make(Falling(100), 1.0, 0.12);
        var events = new[] { Remedy(1, GradientIssueKind.Exploding), Issue(2, GradientIssueKind.Exploding), Remedy(2, GradientIssueKind.Exploding), Remedy(3, null) };
        var score = Scorer.Score([Entry(healthy, [], remedied: healthy, remedyEvents: events)]);
        var remedy = Assert.Single(score.Remedies);
        Assert.Equal(1, remedy.MisattributedEvents);
        Assert.Equal(3, remedy.RemedyEvents);
    }

    [Fact]
    public void RemediesAreComparedWithTheSameSeedWithoutThem()
    {
        var healthy = Make(Falling(100), 1.0, 0.12);
        var worse = healthy with { EvalFinal = 0.24 };
        var rescued = Make(Falling(100), 1.0, 0.15);
        var score = Scorer.Score([Entry(healthy, [], remedied: worse), Entry(Diverging(6), [], seed: 3, remedied: rescued)]);
        var remedy = Assert.Single(score.Remedies);
        Assert.Equal(2.0, remedy.HealthyMedianRatio, 9);
        Assert.Equal(1, remedy.HealthyHarmed);
        Assert.Equal((1, 1), (remedy.Rescued, remedy.FailingRuns));
        Assert.Equal((1, 1), (remedy.DivergedNoLonger, remedy.DivergedRuns));
    }

    [Fact]
    public void RescueIsReportedPerFailureLabelAndABlowUpLeftInTheTrajectoryStillReachesTheHealthyBar()
    {
        var healthy = Make(Falling(100), 1.0, 0.12);
        var blownUpThenFine = Make([1.0, 20.0, .. Falling(98, 0.9, 0.1)], 1.0, 0.15); // recovered after a spike, progress 0.94
        var stillStuck = Make(Falling(100), 1.0, 0.8);                              // not diverged, progress 0.22
        var spiking = Make([.. Falling(50), 5.0, .. Falling(49, 0.3, 0.1)], 1.0, 0.2); // recovered after a spike
        var dead = Make(Falling(100), 1.0, 0.12, dead: [0.7]);
        var score = Scorer.Score(
        [
            Entry(Diverging(6), [], seed: 1, remedied: healthy),
            Entry(Diverging(6), [], seed: 2, remedied: blownUpThenFine),
            Entry(Diverging(6), [], seed: 3, remedied: stillStuck),
            Entry(Diverging(6), [], seed: 4, remedied: Diverging(6)),
            Entry(spiking, [], seed: 5, remedied: healthy),
            Entry(dead, [], seed: 6, remedied: dead),
        ]);
        var remedy = Assert.Single(score.Remedies);
        Assert.Equal((3, 2, 4), (remedy.DivergedNoLonger, remedy.DivergedAtHealthyBar, remedy.DivergedRuns));
        Assert.Equal((2, 6), (remedy.Rescued, remedy.FailingRuns));

        var diverged = remedy.ByFailure.Single(f => f.Label == LabelKind.Diverged);
        Assert.Equal((4, 3, 2, 1, 3, 0), (diverged.Runs, diverged.NotDiverged, diverged.AtHealthyBar, diverged.LabelledHealthy, diverged.Lower, diverged.AtHealthyBarWithout));
        var spike = remedy.ByFailure.Single(f => f.Label == LabelKind.RecoveredAfterSpike);
        Assert.Equal((1, 1, 1, 1, 1), (spike.Runs, spike.AtHealthyBar, spike.LabelledHealthy, spike.Lower, spike.AtHealthyBarWithout));
        var deadUnits = remedy.ByFailure.Single(f => f.Label == LabelKind.DeadUnits);
        Assert.Equal((1, 0, 0), (deadUnits.Runs, deadUnits.LabelledHealthy, deadUnits.Lower));
    }
}
