namespace GradientWatch.Demo.Metrics;

/// <summary>Exports nothing: used when metrics are off.</summary>
internal sealed class NoMetricsAttachment : IMetricsAttachment
{
    public static NoMetricsAttachment Instance { get; } = new();

    public void Configure(GradientWatchBuilder builder)
    {
    }
}
