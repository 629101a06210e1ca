namespace GradientWatch;

/// <summary>What a watcher saw over a whole run: step counts, issues and remedies by kind, and the final statistics.</summary>
public sealed record GradientWatchSummary
{
    /// <summary>Run identifier.</summary>
    public required string RunId { get; init; }

    /// <summary>Model name.</summary>
    public required string Model { get; init; }

    /// <summary>Steps measured.</summary>
    public required long Steps { get; init; }

    /// <summary>Steps whose optimizer step was vetoed by a remedy.</summary>
    public required long SkippedSteps { get; init; }

    /// <summary>Issue events by kind.</summary>
    public required IReadOnlyDictionary<GradientIssueKind, long> IssueCounts { get; init; }

    /// <summary>Remedy actions by remedy name.</summary>
    public required IReadOnlyDictionary<string, long> RemedyCounts { get; init; }

    /// <summary>The last step's snapshot, or null when no step ran.</summary>
    public StepSnapshot? LastStep { get; init; }

    /// <summary>The last snapshot with full per-layer statistics, or null.</summary>
    public StepSnapshot? LastFullStatistics { get; init; }

    /// <summary>The most recent events (bounded by <see cref="GradientWatchOptions.EventHistoryCapacity"/>), oldest first.</summary>
    public required IReadOnlyList<GradientEvent> RecentEvents { get; init; }

    /// <summary>Total number of issue events.</summary>
    public long TotalIssues => IssueCounts.Values.Sum();

    /// <summary>Total number of remedy actions.</summary>
    public long TotalRemedies => RemedyCounts.Values.Sum();
}
