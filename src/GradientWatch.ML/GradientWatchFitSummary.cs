namespace GradientWatch.ML;

/// <summary>
/// What GradientWatch saw during one <c>Fit</c> of a pipeline wrapped with
/// <see cref="GradientWatchPipelineExtensions.WithGradientWatch{TTransformer}(Microsoft.ML.IEstimator{TTransformer}, Action{GradientWatchBuilder}, Action{GradientWatchFitSummary}?)"/>:
/// one <see cref="GradientWatchTrainerRun"/> per watched trainer, and totals over them.
/// </summary>
public sealed class GradientWatchFitSummary
{
    internal GradientWatchFitSummary(IReadOnlyList<GradientWatchTrainerRun> runs) => Runs = runs;

    /// <summary>One entry per watched trainer, in the order they trained.</summary>
    public IReadOnlyList<GradientWatchTrainerRun> Runs { get; }

    /// <summary>Steps measured, over all watched trainers.</summary>
    public long Steps => Runs.Sum(r => r.Watch?.Steps ?? 0);

    /// <summary>Issue events, over all watched trainers.</summary>
    public long TotalIssues => Runs.Sum(r => r.Watch?.TotalIssues ?? 0);

    /// <summary>Remedy actions, over all watched trainers.</summary>
    public long TotalRemedies => Runs.Sum(r => r.Watch?.TotalRemedies ?? 0);

    /// <summary>Issue events by kind, over all watched trainers.</summary>
    public IReadOnlyDictionary<GradientIssueKind, long> IssueCounts => Merge(r => r.IssueCounts);

    /// <summary>Remedy actions by remedy name, over all watched trainers.</summary>
    public IReadOnlyDictionary<string, long> RemedyCounts => Merge(r => r.RemedyCounts);

    /// <summary>The recent events of every watched trainer (each bounded by <see cref="GradientWatchOptions.EventHistoryCapacity"/>), in training order.</summary>
    public IReadOnlyList<GradientEvent> Events => Runs.SelectMany(r => r.Watch?.RecentEvents ?? Array.Empty<GradientEvent>()).ToArray();

    /// <summary>The final per-layer statistics of the last watched trainer.</summary>
    public IReadOnlyList<LayerStatistics> FinalLayerStatistics => Runs.Count == 0 ? Array.Empty<LayerStatistics>() : Runs[^1].FinalLayerStatistics;

    private IReadOnlyDictionary<TKey, long> Merge<TKey>(Func<GradientWatchSummary, IReadOnlyDictionary<TKey, long>> select)
        where TKey : notnull
    {
        var merged = new Dictionary<TKey, long>();
        foreach (var run in Runs)
        {
            if (run.Watch is null)
            {
                continue;
            }

            foreach (var (key, count) in select(run.Watch))
            {
                merged[key] = merged.GetValueOrDefault(key) + count;
            }
        }

        return merged;
    }
}
