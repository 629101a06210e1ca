namespace GradientWatch.Corpus.Scoring;

/// <summary>Everything measured on one corpus.</summary>
internal sealed record CorpusScore
{
    public required int Runs { get; init; }

    public required IReadOnlyDictionary<LabelKind, int> LabelCounts { get; init; }

    public required int HealthySteps { get; init; }

    /// <summary>Healthy runs with any Error-severity issue (any detector).</summary>
    public required int HealthyRunsWithErrors { get; init; }

    public required IReadOnlyList<DetectorScore> Detectors { get; init; }

    public required ExplodingScore Exploding { get; init; }

    /// <summary>Exploding precision counting only Error-severity exploding issues.</summary>
    public required double ExplodingErrorPrecision { get; init; }

    public required IReadOnlyList<RemedyScore> Remedies { get; init; }

    /// <summary>Median and 90th percentile of the progress difference between healthy runs that differ only in seed.</summary>
    public required (double Median, double P90, int Pairs) SeedNoise { get; init; }
}
