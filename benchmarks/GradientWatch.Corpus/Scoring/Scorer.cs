using GradientWatch.Corpus.Runs;

namespace GradientWatch.Corpus.Scoring;

/// <summary>Scores GradientWatch's detectors and remedies against the corpus labels. Pure functions over recorded runs.</summary>
internal static class Scorer
{
    /// <summary>The detectors scored, with the labels that count as their positives.</summary>
    public static readonly IReadOnlyList<(GradientIssueKind Kind, string Positives, Func<RunLabel, bool> IsPositive)> Targets =
    [
        (GradientIssueKind.Exploding, "diverged or recovered after a spike", l => l.IsExploding),
        (GradientIssueKind.NonFinite, "non-finite loss", l => l.NonFiniteStep is not null),
        (GradientIssueKind.Vanishing, "vanishing", l => l.Has(LabelKind.Vanishing)),
        (GradientIssueKind.DeadUnits, "dead units", l => l.Has(LabelKind.DeadUnits)),
        (GradientIssueKind.Stalled, "stalled", l => l.Has(LabelKind.Stalled)),
        (GradientIssueKind.Overshooting, "diverged or recovered after a spike", l => l.IsExploding),
    ];

    /// <param name="entries">The scored runs.</param>
    /// <param name="seedNoise">Seed noise to judge remedy harm by; null measures it on <paramref name="entries"/> (sets without seed pairs borrow the tuning corpus's).</param>
    public static CorpusScore Score(IReadOnlyList<CorpusEntry> entries, (double Median, double P90, int Pairs)? seedNoise = null)
    {
        var healthy = entries.Where(e => e.Label.Primary == LabelKind.Healthy).ToList();
        int healthySteps = healthy.Sum(e => e.Baseline.Trajectory.Losses.Length);
        var detectors = Targets.Select(t => ScoreDetector(entries, healthy, healthySteps, t.Kind, t.Positives, t.IsPositive)).ToList();
        var explodingFlaggedError = entries.Where(e => FirstIssue(e.Baseline, GradientIssueKind.Exploding, GradientEventSeverity.Error) is not null).ToList();
        var noise = seedNoise ?? SeedNoise(entries);
        return new CorpusScore
        {
            Runs = entries.Count,
            LabelCounts = Enum.GetValues<LabelKind>().ToDictionary(k => k, k => entries.Count(e => e.Label.Primary == k)),
            HealthySteps = healthySteps,
            HealthyRunsWithErrors = healthy.Count(e => e.Baseline.Events.Any(ev => !ev.IsRemedy && ev.Severity >= GradientEventSeverity.Error)),
            Detectors = detectors,
            Exploding = ScoreExploding(entries),
            ExplodingErrorPrecision = explodingFlaggedError.Count == 0 ? double.NaN : (double)explodingFlaggedError.Count(e => e.Label.IsExploding) / explodingFlaggedError.Count,
            Remedies = entries.SelectMany(e => e.Results.Keys).Distinct().Where(c => c != RemedyConfig.None).Order().Select(c => ScoreRemedy(entries, c, noise.P90)).ToList(),
            SeedNoise = noise,
        };
    }

    /// <summary>Step of the first issue of <paramref name="kind"/> at or above <paramref name="severity"/>, or null.</summary>
    public static long? FirstIssue(RunResult run, GradientIssueKind kind, GradientEventSeverity severity = GradientEventSeverity.Info)
        => run.Events.FirstOrDefault(e => !e.IsRemedy && e.Kind == kind && e.Severity >= severity)?.Step;

    private static DetectorScore ScoreDetector(IReadOnlyList<CorpusEntry> entries, List<CorpusEntry> healthy, int healthySteps, GradientIssueKind kind, string positives, Func<RunLabel, bool> isPositive)
    {
        int tp = 0, fp = 0, fn = 0;
        foreach (var e in entries)
        {
            bool flagged = FirstIssue(e.Baseline, kind) is not null;
            bool positive = isPositive(e.Label);
            tp += flagged && positive ? 1 : 0;
            fp += flagged && !positive ? 1 : 0;
            fn += !flagged && positive ? 1 : 0;
        }

        int alarms = healthy.Sum(e => e.Baseline.Events.Count(ev => !ev.IsRemedy && ev.Kind == kind));
        return new DetectorScore
        {
            Kind = kind,
            Positives = positives,
            TruePositives = tp,
            FalsePositives = fp,
            FalseNegatives = fn,
            FalseAlarmsPer1000HealthySteps = healthySteps == 0 ? 0 : 1000.0 * alarms / healthySteps,
            HealthyRunsFlagged = healthy.Count(e => FirstIssue(e.Baseline, kind) is not null),
            HealthyRunsWithErrors = healthy.Count(e => FirstIssue(e.Baseline, kind, GradientEventSeverity.Error) is not null),
        };
    }

    private static ExplodingScore ScoreExploding(IReadOnlyList<CorpusEntry> entries)
    {
        var diverged = entries.Where(e => e.Label.Has(LabelKind.Diverged)).ToList();
        var leads = new List<int>();
        var missed = new List<string>();
        int flaggedBefore = 0, early = 0, earlyFlagged = 0;
        foreach (var e in diverged)
        {
            // In time: strictly before the first non-finite loss; for runs whose loss stayed finite, at or before the blow-up.
            int deadline = e.Label.NonFiniteStep ?? e.Label.BlowUpStep ?? e.Baseline.Trajectory.Losses.Length;
            long? first = FirstIssue(e.Baseline, GradientIssueKind.Exploding);
            bool inTime = first is { } f && (e.Label.NonFiniteStep is null ? f <= deadline : f < deadline);
            bool isEarly = (e.Label.BlowUpStep ?? int.MaxValue) <= 10;
            early += isEarly ? 1 : 0;
            if (inTime)
            {
                flaggedBefore++;
                earlyFlagged += isEarly ? 1 : 0;
                leads.Add((int)(deadline - first!.Value));
            }
            else
            {
                missed.Add(e.Spec.Id);
            }
        }

        return new ExplodingScore
        {
            Diverged = diverged.Count,
            FlaggedBeforeNonFinite = flaggedBefore,
            WentNonFinite = diverged.Count(e => e.Label.NonFiniteStep is not null),
            EarlyDivergence = early,
            EarlyFlagged = earlyFlagged,
            LeadTimes = leads,
            Missed = missed,
        };
    }

    private static RemedyScore ScoreRemedy(IReadOnlyList<CorpusEntry> entries, RemedyConfig config, double noise)
    {
        var compared = entries.Where(e => e.Results.ContainsKey(config)).ToList();
        var healthy = compared.Where(e => e.Label.Primary == LabelKind.Healthy).ToList();
        var ratios = healthy.Select(e => e.Results[config].Trajectory.EvalFinal / e.Baseline.Trajectory.EvalFinal).ToList();
        var progressLost = healthy.Select(e => e.Label.Progress - Labeller.Label(e.Results[config].Trajectory, e.Reference).Progress).ToList();
        var failing = compared.Where(e => e.Label.IsExploding || e.Label.Has(LabelKind.DeadUnits)).ToList();
        var diverged = compared.Where(e => e.Label.Has(LabelKind.Diverged)).ToList();
        int misattributed = 0, remedyEvents = 0;
        foreach (var run in compared.Select(e => e.Results[config]))
        {
            foreach (var ev in run.Events.Where(ev => ev.IsRemedy))
            {
                remedyEvents++;
                if (ev.Kind is { } k && !run.Events.Any(i => !i.IsRemedy && i.Step == ev.Step && i.Kind == k))
                {
                    misattributed++;
                }
            }
        }

        return new RemedyScore
        {
            Config = config,
            HealthyRuns = healthy.Count,
            HealthyMedianRatio = ratios.Count == 0 ? double.NaN : Median(ratios),
            HealthyWorstRatio = ratios.Count == 0 ? double.NaN : ratios.Max(),
            HealthyHarmed = progressLost.Count(p => !(p <= noise)),
            HealthyWorstProgressLost = progressLost.Count == 0 ? double.NaN : progressLost.Max(),
            HealthyRunsTouched = healthy.Count(e => e.Results[config].Events.Any(ev => ev.IsRemedy)),
            FailingRuns = failing.Count,
            Rescued = failing.Count(e => Labeller.Label(e.Results[config].Trajectory, e.Reference).Primary == LabelKind.Healthy),
            DivergedRuns = diverged.Count,
            DivergedNoLonger = diverged.Count(e => !Labeller.Label(e.Results[config].Trajectory, e.Reference).Has(LabelKind.Diverged)),
            DivergedAtHealthyBar = diverged.Count(e => AtHealthyBar(Labeller.Label(e.Results[config].Trajectory, e.Reference))),
            ByFailure = FailureLabels.Select(l => Rescue(failing, config, l)).ToList(),
            MisattributedEvents = misattributed,
            RemedyEvents = remedyEvents,
        };
    }

    /// <summary>The failure labels a remedy can rescue a run from, in the order a run is assigned to one of them.</summary>
    public static readonly IReadOnlyList<LabelKind> FailureLabels = [LabelKind.Diverged, LabelKind.RecoveredAfterSpike, LabelKind.DeadUnits];

    /// <summary>The run's first failure label (<see cref="FailureLabels"/> order), or null when it has none.</summary>
    public static LabelKind? FailureLabel(RunLabel label) => FailureLabels.Cast<LabelKind?>().FirstOrDefault(l => label.Has(l!.Value));

    /// <summary>Not diverged, and at least <see cref="Labeller.HealthyProgress"/> of the way from the start loss to the reference.</summary>
    public static bool AtHealthyBar(RunLabel label) => !label.Has(LabelKind.Diverged) && label.Progress >= Labeller.HealthyProgress;

    private static FailureRescue Rescue(IReadOnlyList<CorpusEntry> failing, RemedyConfig config, LabelKind kind)
    {
        var group = failing.Where(e => FailureLabel(e.Label) == kind).ToList();
        var remedied = group.Select(e => (Entry: e, Label: Labeller.Label(e.Results[config].Trajectory, e.Reference))).ToList();
        return new FailureRescue(
            kind,
            group.Count,
            remedied.Count(r => !r.Label.Has(LabelKind.Diverged)),
            remedied.Count(r => AtHealthyBar(r.Label)),
            remedied.Count(r => r.Label.Primary == LabelKind.Healthy),
            remedied.Count(r => Lower(r.Entry.Results[config].Trajectory.EvalFinal, r.Entry.Baseline.Trajectory.EvalFinal)),
            group.Count(e => AtHealthyBar(e.Label)));
    }

    /// <summary>A final loss lower than another; a finite one is lower than a non-finite one.</summary>
    private static bool Lower(double remedied, double without)
        => double.IsFinite(remedied) && (!double.IsFinite(without) || remedied < without);

    /// <summary>
    /// Seed noise: the difference in progress (share of the way from the start loss to the reference) between healthy
    /// runs whose specifications differ only in seed. Progress, not the loss ratio, because a ratio of two tiny final
    /// losses (0.002 against 0.004) says little about a run that went from 1.1 to either.
    /// </summary>
    private static (double Median, double P90, int Pairs) SeedNoise(IReadOnlyList<CorpusEntry> entries)
    {
        var diffs = new List<double>();
        foreach (var group in entries.Where(e => e.Label.Primary == LabelKind.Healthy).GroupBy(e => (e.Spec with { Seed = 0 }).Id))
        {
            var progress = group.Select(e => e.Label.Progress).ToArray();
            for (int i = 0; i < progress.Length; i++)
            {
                for (int j = i + 1; j < progress.Length; j++)
                {
                    diffs.Add(Math.Abs(progress[i] - progress[j]));
                }
            }
        }

        return diffs.Count == 0 ? (0, 0, 0) : (Median(diffs), Percentile(diffs, 0.9), diffs.Count);
    }

    public static double Median(IEnumerable<double> values) => Percentile(values.ToList(), 0.5);

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        double rank = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = (int)Math.Ceiling(rank);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }
}
