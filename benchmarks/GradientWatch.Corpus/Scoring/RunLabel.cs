namespace GradientWatch.Corpus.Scoring;

/// <summary>The labels of one run (a run can carry several), its primary label, and the steps that matter for lead times.</summary>
internal sealed record RunLabel
{
    /// <summary>Every label that applies.</summary>
    public required IReadOnlySet<LabelKind> Labels { get; init; }

    /// <summary>The most severe label (order of <see cref="LabelKind"/>).</summary>
    public LabelKind Primary => Labels.Min();

    /// <summary>First step (1-based) whose loss is non-finite or above <see cref="Labeller.BlowUpFactor"/>× the first loss; null if none.</summary>
    public int? BlowUpStep { get; init; }

    /// <summary>First step (1-based) whose mini-batch loss is non-finite; null if none.</summary>
    public int? NonFiniteStep { get; init; }

    /// <summary>Share of the way from the start loss to the reference loss that the run covered (held-out loss).</summary>
    public double Progress { get; init; }

    public bool Has(LabelKind kind) => Labels.Contains(kind);

    /// <summary>Diverged or recovered after a spike: the runs an exploding-gradient detector should flag.</summary>
    public bool IsExploding => Has(LabelKind.Diverged) || Has(LabelKind.RecoveredAfterSpike);
}
