namespace GradientWatch.Demo.Cli;

/// <summary>The demo's settings, as parsed from the command line.</summary>
internal sealed record DemoSettings
{
    /// <summary>Default output folder, relative to the working directory.</summary>
    public const string DefaultOutput = "gradientwatch-demo-out";

    public string Scenario { get; init; } = Scenarios.ScenarioCatalog.All;

    public int Seed { get; init; } = 1;

    public int? Epochs { get; init; }

    public int? Steps { get; init; }

    public string Output { get; init; } = DefaultOutput;

    public bool NoLive { get; init; }

    public bool NoMetrics { get; init; }

    public int MetricsPort { get; init; } = Metrics.MetricsPortChoice.DefaultPort;

    public bool MetricsPortExplicit { get; init; }

    /// <summary>How long to keep serving metrics after training: null = not at all, <see cref="Timeout.InfiniteTimeSpan"/> = until Ctrl+C.</summary>
    public TimeSpan? Linger { get; init; }

    /// <summary>Steps per second to train at in real time (0 = as fast as possible); null = the scenario's default.</summary>
    public double? Pace { get; init; }

    /// <summary>Pause after every step in the live view, so people can follow it; null = the default (live: 5 ms, plain: none).</summary>
    public int? StepDelayMs { get; init; }
}
