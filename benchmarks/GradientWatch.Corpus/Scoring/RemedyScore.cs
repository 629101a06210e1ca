using GradientWatch.Corpus.Runs;

namespace GradientWatch.Corpus.Scoring;

/// <summary>What one remedy configuration did to final held-out loss against the same seed without remedies.</summary>
internal sealed record RemedyScore
{
    public required RemedyConfig Config { get; init; }

    /// <summary>Healthy runs compared.</summary>
    public int HealthyRuns { get; init; }

    /// <summary>Median of final loss with remedies / final loss without, on healthy runs.</summary>
    public double HealthyMedianRatio { get; init; }

    /// <summary>Worst (largest) ratio on healthy runs.</summary>
    public double HealthyWorstRatio { get; init; }

    /// <summary>Healthy runs that lost more progress toward the reference than the seed noise (90th percentile of seed-pair differences).</summary>
    public int HealthyHarmed { get; init; }

    /// <summary>Largest loss of progress on a healthy run (share of the way from start to reference).</summary>
    public double HealthyWorstProgressLost { get; init; }

    /// <summary>Healthy runs on which a remedy acted at all.</summary>
    public int HealthyRunsTouched { get; init; }

    /// <summary>Failing runs (diverged, recovered after a spike, dead units) compared.</summary>
    public int FailingRuns { get; init; }

    /// <summary>Failing runs that ended healthy with the remedies (same labelling rules).</summary>
    public int Rescued { get; init; }

    /// <summary>Diverged runs compared, and how many no longer diverged with the remedies.</summary>
    public int DivergedRuns { get; init; }

    public int DivergedNoLonger { get; init; }

    /// <summary>Diverged runs that no longer diverge and end at the healthy bar (progress ≥ 0.5 on the final held-out loss).</summary>
    public int DivergedAtHealthyBar { get; init; }

    /// <summary>The failing runs by failure label (diverged, recovered after a spike, dead units), each run counted once.</summary>
    public IReadOnlyList<FailureRescue> ByFailure { get; init; } = [];

    /// <summary>Remedy events naming an issue kind that no detector reported on that step.</summary>
    public int MisattributedEvents { get; init; }

    /// <summary>Remedy events in total.</summary>
    public int RemedyEvents { get; init; }
}
