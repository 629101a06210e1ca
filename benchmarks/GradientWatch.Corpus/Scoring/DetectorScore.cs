namespace GradientWatch.Corpus.Scoring;

/// <summary>How one detector did on the corpus (run level), with false alarms per 1,000 healthy steps.</summary>
internal sealed record DetectorScore
{
    public required GradientIssueKind Kind { get; init; }

    /// <summary>Which labels count as positives for this detector, in words.</summary>
    public required string Positives { get; init; }

    public int TruePositives { get; init; }

    public int FalsePositives { get; init; }

    public int FalseNegatives { get; init; }

    public double Precision => TruePositives + FalsePositives == 0 ? double.NaN : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? double.NaN : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>Issue events of this kind on healthy runs per 1,000 healthy steps.</summary>
    public double FalseAlarmsPer1000HealthySteps { get; init; }

    /// <summary>Healthy runs with at least one issue of this kind.</summary>
    public int HealthyRunsFlagged { get; init; }

    /// <summary>Healthy runs with at least one Error-severity issue of this kind.</summary>
    public int HealthyRunsWithErrors { get; init; }
}
