using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>A meter provider with GradientWatch instrumentation and the in-memory exporter.</summary>
internal sealed class MetricsCollector : IDisposable
{
    private readonly List<MetricSnapshot> exported = new();
    private readonly MeterProvider provider;

    public MetricsCollector()
    {
        provider = Sdk.CreateMeterProviderBuilder()
            .AddGradientWatchInstrumentation()
            .AddInMemoryExporter(exported)
            .Build();
    }

    /// <summary>Collects once and returns the points of <paramref name="runId"/>, as (metric, point) pairs.</summary>
    public IReadOnlyList<Point> Collect(string runId)
    {
        exported.Clear();
        provider.ForceFlush();
        var result = new List<Point>();
        foreach (var metric in exported)
        {
            foreach (ref readonly var p in metric.MetricPoints.ToArray().AsSpan())
            {
                var tags = new Dictionary<string, string>();
                foreach (var t in p.Tags)
                {
                    tags[t.Key] = t.Value?.ToString() ?? "";
                }

                if (!tags.TryGetValue("run_id", out string? run) || run != runId)
                {
                    continue;
                }

                double value = metric.MetricType switch
                {
                    MetricType.DoubleGauge => p.GetGaugeLastValueDouble(),
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => p.GetSumLong(),
                    MetricType.DoubleSum => p.GetSumDouble(),
                    MetricType.LongGauge => p.GetGaugeLastValueLong(),
                    MetricType.Histogram => p.GetHistogramCount(),
                    _ => double.NaN,
                };
                List<(double Bound, long Count)>? buckets = null;
                if (metric.MetricType == MetricType.Histogram)
                {
                    buckets = new List<(double Bound, long Count)>();
                    foreach (var b in p.GetHistogramBuckets())
                    {
                        buckets.Add((b.ExplicitBound, b.BucketCount));
                    }
                }

                result.Add(new Point(metric.Name, metric.Unit, metric.MetricType, tags, value, buckets));
            }
        }

        return result;
    }

    public void Dispose() => provider.Dispose();

    internal sealed record Point(string Name, string Unit, MetricType Type, IReadOnlyDictionary<string, string> Tags, double Value, IReadOnlyList<(double Bound, long Count)>? Buckets = null);
}
