namespace GradientWatch.Telemetry;

/// <summary>The event counts a watcher reports: cumulative since the run started, or within the trailing window.</summary>
internal enum CounterValue
{
    Steps,
    StepsSkipped,
    Issues,
    Remedies,
    RecentStepsSkipped,
    RecentIssues,
    RecentRemedies,
}
