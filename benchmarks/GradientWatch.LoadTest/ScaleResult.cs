namespace GradientWatch.LoadTest;

/// <summary>What one round of the load test measured.</summary>
internal sealed record ScaleResult
{
    public required int Processes { get; init; }

    public required int SeriesPerProcess { get; init; }

    /// <summary>Raw series VictoriaMetrics holds for the simulated processes (recording rules and alerts excluded).</summary>
    public required int SeriesInBackend { get; init; }

    /// <summary>Simulated processes Prometheus scraped successfully at the end of the window.</summary>
    public required int TargetsUp { get; init; }

    /// <summary>Series vmalert's recording rules wrote for them.</summary>
    public required int RecordedSeries { get; init; }

    public required double WindowSeconds { get; init; }

    public required double SamplesPerSecond { get; init; }

    public required double ScrapeBytesPerProcess { get; init; }

    public required double PrometheusCores { get; init; }

    public required double PrometheusRssMiB { get; init; }

    public required double VictoriaMetricsCores { get; init; }

    public required double VictoriaMetricsRssMiB { get; init; }

    public required double VmalertCores { get; init; }

    public required double ReplayCores { get; init; }

    public required double ScrapeDurationAvgMs { get; init; }

    public required double ScrapeDurationMaxMs { get; init; }

    public required double RemoteWriteLagSeconds { get; init; }

    public required double DiskBytes { get; init; }

    public required IReadOnlyList<QueryTiming> Queries { get; init; }
}

/// <summary>One dashboard query, run as Grafana would (range query) against VictoriaMetrics.</summary>
internal sealed record QueryTiming(string Dashboard, string Panel, bool AllRuns, double MedianMs, int Series);
