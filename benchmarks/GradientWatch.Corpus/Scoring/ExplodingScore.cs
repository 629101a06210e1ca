namespace GradientWatch.Corpus.Scoring;

/// <summary>Early warning on diverging runs: flagged before the loss went non-finite, and lead times.</summary>
internal sealed record ExplodingScore
{
    /// <summary>Runs labelled diverged.</summary>
    public int Diverged { get; init; }

    /// <summary>Diverged runs whose first exploding alarm came before the first non-finite loss (or before the blow-up, when the loss stayed finite).</summary>
    public int FlaggedBeforeNonFinite { get; init; }

    /// <summary>Diverged runs whose loss became non-finite.</summary>
    public int WentNonFinite { get; init; }

    /// <summary>Diverged runs whose blow-up came within the first 10 steps (the old warm-up).</summary>
    public int EarlyDivergence { get; init; }

    /// <summary>Of those, flagged in time.</summary>
    public int EarlyFlagged { get; init; }

    /// <summary>Steps from the first exploding alarm to the first non-finite loss (or, when the loss stayed finite, the blow-up), per diverged run flagged in time.</summary>
    public IReadOnlyList<int> LeadTimes { get; init; } = [];

    /// <summary>Ids of diverged runs not flagged in time.</summary>
    public IReadOnlyList<string> Missed { get; init; } = [];

    public double MedianLead => LeadTimes.Count == 0 ? double.NaN : Scorer.Median(LeadTimes.Select(l => (double)l));
}
