using GradientWatch.Demo.Metrics;
using GradientWatch.Demo.Training;

namespace GradientWatch.Demo;

/// <summary>What the demo runs against: whether stdout is a terminal, how runs are trained, how metrics are served.</summary>
internal sealed record DemoEnvironment
{
    /// <summary>True when standard output is a terminal (not redirected).</summary>
    public required bool IsTerminal { get; init; }

    /// <summary>Trains the runs.</summary>
    public IDemoTrainer Trainer { get; init; } = new MlNetTrainer();

    /// <summary>Starts the metrics endpoint on a port, keeping runs' series for a while after they end.</summary>
    public Func<int, TimeSpan, IMetricsServer> StartMetrics { get; init; } = MetricsServers.Start;

    /// <summary>The environment of this process.</summary>
    public static DemoEnvironment Current() => new() { IsTerminal = !Console.IsOutputRedirected };
}
