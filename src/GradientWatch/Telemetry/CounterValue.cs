namespace GradientWatch.Telemetry;

/// <summary>The cumulative counts a watcher reports.</summary>
internal enum CounterValue
{
    Steps,
    StepsSkipped,
    Issues,
    Remedies,
}
