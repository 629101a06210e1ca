namespace GradientWatch.Corpus.Scoring;

/// <summary>Labels of a corpus run, most severe first.</summary>
internal enum LabelKind
{
    /// <summary>The loss became non-finite or blew up and the run ended no better than it started.</summary>
    Diverged,

    /// <summary>The loss spiked (or blew up) and the run still ended better than it started.</summary>
    RecoveredAfterSpike,

    /// <summary>The first weight layer barely moved while the last one did.</summary>
    Vanishing,

    /// <summary>At least half of a hidden layer's units never activate on the held-out data.</summary>
    DeadUnits,

    /// <summary>The held-out loss covered less than a tenth of the way to the reference.</summary>
    Stalled,

    /// <summary>Between stalled and healthy: still learning, slowly.</summary>
    Slow,

    /// <summary>The held-out loss covered at least half of the way to the well-tuned reference, with none of the above.</summary>
    Healthy,
}
