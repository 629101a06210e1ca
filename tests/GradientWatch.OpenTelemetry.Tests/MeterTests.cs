using GradientWatch.OpenTelemetry.Tests.Support;
using GradientWatch.Telemetry;
using OpenTelemetry.Metrics;
using N = GradientWatch.Telemetry.GradientWatchMetricNames;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>The GradientWatch meter, collected through the OpenTelemetry SDK with the in-memory exporter.</summary>
public sealed class MeterTests
{
    private static GradientWatchMetrics NewMetrics(string runId, int layers = 3, Action<GradientWatchOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new GradientWatchOptions();
        configure?.Invoke(options);
        options.Validate();
        return new GradientWatchMetrics(runId, "mlp", Steps.LayerNames(layers), options, time ?? TimeProvider.System);
    }

    private static string Run() => "run-" + Guid.NewGuid().ToString("N")[..8];

    [Theory]
    [InlineData(N.LayerGradientNorm, N.UnitNorm, MetricType.DoubleGauge, true)]
    [InlineData(N.LayerGradientNormPeak, N.UnitNorm, MetricType.DoubleGauge, true)]
    [InlineData(N.LayerGradientMaxAbs, N.UnitNorm, MetricType.DoubleGauge, true)]
    [InlineData(N.LayerGradientZeroFraction, N.UnitRatio, MetricType.DoubleGauge, true)]
    [InlineData(N.LayerWeightNorm, N.UnitNorm, MetricType.DoubleGauge, true)]
    [InlineData(N.LayerUpdateRatio, N.UnitRatio, MetricType.DoubleGauge, true)]
    [InlineData(N.LayerGradientNonFinite, N.UnitElement, MetricType.LongSum, true)]
    [InlineData(N.LayerGradientFloat16Underflow, N.UnitRatio, MetricType.DoubleGauge, true)]
    [InlineData(N.LayerGradientBFloat16Underflow, N.UnitRatio, MetricType.DoubleGauge, true)]
    [InlineData(N.GradientNorm, N.UnitNorm, MetricType.DoubleGauge, false)]
    [InlineData(N.GradientNormPeak, N.UnitNorm, MetricType.DoubleGauge, false)]
    [InlineData(N.Loss, N.UnitLoss, MetricType.DoubleGauge, false)]
    [InlineData(N.LearningRate, N.UnitLearningRate, MetricType.DoubleGauge, false)]
    [InlineData(N.Steps, N.UnitStep, MetricType.LongSum, false)]
    [InlineData(N.StepsSkipped, N.UnitStep, MetricType.LongSum, false)]
    public void Each_instrument_has_its_unit_type_and_attributes(string name, string unit, MetricType type, bool perLayer)
    {
        string run = Run();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run);
        metrics.Record(Steps.Snapshot(1, [1, 2, 3], full: true), []);

        var points = collector.Collect(run).Where(p => p.Name == name).ToList();
        Assert.Equal(perLayer ? 3 : 1, points.Count);
        Assert.All(points, p =>
        {
            Assert.Equal(unit, p.Unit);
            Assert.Equal(type, p.Type);
            Assert.Equal("mlp", p.Tags[N.Model]);
            var expectedKeys = perLayer ? new[] { N.RunId, N.Model, N.Layer, N.LayerIndex } : new[] { N.RunId, N.Model };
            Assert.Equal(expectedKeys.Order(), p.Tags.Keys.Order());
        });
        if (perLayer)
        {
            Assert.Equal(["fc0", "fc1", "fc2"], points.Select(p => p.Tags[N.Layer]).Order());
            Assert.Equal(["0", "1", "2"], points.Select(p => p.Tags[N.LayerIndex]).Order());
        }
    }

    [Fact]
    public void Gradient_histograms_are_opt_in_capped_to_evenly_spaced_layers_and_use_power_of_two_buckets()
    {
        string run = Run();
        using var collector = new MetricsCollector();
        using (var off = NewMetrics(run, layers: 12))
        {
            off.Record(Steps.Snapshot(1, new double[12], full: true), []);
            Assert.DoesNotContain(collector.Collect(run), p => p.Name == N.LayerGradientMagnitude);
        }

        run = Run();
        using var metrics = NewMetrics(run, layers: 12, o => { o.ExportGradientHistograms = true; o.MaxHistogramLayers = 4; });
        metrics.Record(Steps.Snapshot(1, Enumerable.Repeat(1.0, 12).ToArray(), full: true), []);
        metrics.Record(Steps.Snapshot(2, Enumerable.Repeat(1.0, 12).ToArray(), full: false), []);
        var points = collector.Collect(run).Where(p => p.Name == N.LayerGradientMagnitude).ToList();

        Assert.Equal(["fc0", "fc11", "fc4", "fc7"], points.Select(p => p.Tags[N.Layer]).Order());
        double[] expectedBounds = Enumerable.Range(0, 29).Select(i => Math.ScaleB(1.0, -48 + (2 * i))).ToArray();
        Assert.All(points, p =>
        {
            Assert.Equal(MetricType.Histogram, p.Type);
            Assert.Equal(N.MagnitudePointsPerStep, p.Value); // one full-statistics step; the partial step records nothing
            Assert.Equal(expectedBounds, p.Buckets!.Select(b => b.Bound).Where(double.IsFinite));
            long Count(int exponent) => p.Buckets!.Single(b => b.Bound == Math.ScaleB(1.0, exponent)).Count;
            Assert.Equal(25, Count(-48));   // the exact zeros
            Assert.Equal(10, Count(-18));   // 2^-20 ≤ |g| < 2^-19
            Assert.Equal(65, Count(-8));    // 2^-10 ≤ |g| < 2^-9
            Assert.Equal(100, p.Buckets!.Sum(b => b.Count));
        });

        var underflow = collector.Collect(run).Where(p => p.Name == N.LayerGradientFloat16Underflow).ToList();
        Assert.Equal(12, underflow.Count);
        Assert.All(underflow, p => Assert.Equal(0.1, p.Value, 12));
    }

    [Fact]
    public void Step_size_alpha_is_exported_once_measured_and_keeps_the_last_measured_value()
    {
        string run = Run();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run);
        metrics.Record(Steps.Snapshot(1, [1, 2, 3]), []);
        Assert.DoesNotContain(collector.Collect(run), p => p.Name == N.StepSizeAlpha);

        metrics.Record(Steps.Snapshot(2, [1, 2, 3]) with { StepSizeAlpha = 0.75 }, []);
        metrics.Record(Steps.Snapshot(3, [1, 2, 3]), []);
        var point = Assert.Single(collector.Collect(run), p => p.Name == N.StepSizeAlpha);
        Assert.Equal(0.75, point.Value);
        Assert.Equal(N.UnitAlpha, point.Unit);
        Assert.Equal([N.Model, N.RunId], point.Tags.Keys.Order());
    }

    [Fact]
    public void Values_are_the_latest_step_and_counters_accumulate()
    {
        string run = Run();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run);
        metrics.Record(Steps.Snapshot(1, [3, 4, 0], full: true, loss: 2.5, lr: 0.01), []);
        metrics.Record(Steps.Snapshot(2, [1, 1, 1], loss: 1.5, lr: 0.005, skipped: true, nanCounts: [0, 7, 0]), []);

        var points = collector.Collect(run);
        double Value(string name, string? layer = null) => points.Single(p => p.Name == name && (layer is null || p.Tags[N.Layer] == layer)).Value;
        Assert.Equal(1, Value(N.LayerGradientNorm, "fc0"));
        Assert.Equal(Math.Sqrt(3), Value(N.GradientNorm), 12);
        Assert.Equal(1.5, Value(N.Loss));
        Assert.Equal(0.005, Value(N.LearningRate));
        Assert.Equal(2, Value(N.Steps));
        Assert.Equal(1, Value(N.StepsSkipped));
        Assert.Equal(7, Value(N.LayerGradientNonFinite, "fc1"));

        // Full-statistics values persist between full steps.
        Assert.Equal(0.25, Value(N.LayerGradientZeroFraction, "fc0"));
        Assert.Equal(10, Value(N.LayerWeightNorm, "fc0"));
        Assert.Equal(1e-3, Value(N.LayerUpdateRatio, "fc0"));
    }

    [Fact]
    public void Issues_by_kind_with_their_detectors_severity_and_remedies_by_name_start_at_zero_and_count_every_event()
    {
        string run = Run();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run);
        metrics.DeclareRemedies(["clip_global_norm", "skip_step"]);
        var before = collector.Collect(run);

        // One series per kind, with the severity its detector raises: no series that can only ever be 0.
        var declared = before.Where(p => p.Name == N.Issues).Select(p => (p.Tags[N.Kind], p.Tags[N.Severity])).Order().ToArray();
        Assert.Equal(
            [("dead_units", "warning"), ("exploding", "error"), ("non_finite", "error"), ("overshooting", "warning"), ("stalled", "warning"), ("underflow", "warning"), ("vanishing", "warning")],
            declared);
        Assert.All(before.Where(p => p.Name is N.Issues or N.Remedies or N.IssuesRecent or N.RemediesRecent), p => Assert.Equal(0, p.Value));
        Assert.Equal(["clip_global_norm", "skip_step"], before.Where(p => p.Name == N.Remedies).Select(p => p.Tags[N.Remedy]).Order());

        for (int i = 1; i <= 5; i++)
        {
            metrics.Record(Steps.Snapshot(i, [1]), [Steps.Issue(GradientIssueKind.Exploding), Steps.Remedy("clip_global_norm")]);
        }

        // A severity no built-in detector uses still counts, in a series of its own.
        metrics.Record(Steps.Snapshot(6, [1]), [Steps.Issue(GradientIssueKind.NonFinite, GradientEventSeverity.Critical), Steps.Remedy("skip_step")]);
        var after = collector.Collect(run);
        double Issues(string kind, string severity) => after.Single(p => p.Name == N.Issues && p.Tags[N.Kind] == kind && p.Tags[N.Severity] == severity).Value;
        Assert.Equal(5, Issues("exploding", "error"));
        Assert.Equal(1, Issues("non_finite", "critical"));
        Assert.Equal(0, Issues("non_finite", "error"));
        Assert.Equal(0, Issues("vanishing", "warning"));
        Assert.Equal(8, after.Count(p => p.Name == N.Issues));
        Assert.Equal(5, after.Single(p => p.Name == N.Remedies && p.Tags[N.Remedy] == "clip_global_norm").Value);
        Assert.Equal(1, after.Single(p => p.Name == N.Remedies && p.Tags[N.Remedy] == "skip_step").Value);
    }

    [Fact]
    public void The_recent_series_count_events_before_the_first_collection_and_forget_them_after_the_window()
    {
        string run = Run();
        var time = new ManualTime();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run, layers: 1, o => o.MetricsPeakWindow = TimeSpan.FromSeconds(12), time);
        metrics.DeclareRemedies(["skip_step"]);

        // Events before anyone collected: a counter that first appears above 0 shows no increase() in
        // Prometheus, so the windowed counts carry them.
        metrics.Record(Steps.Snapshot(1, [1]), [Steps.Issue(GradientIssueKind.Exploding)]);
        time.Advance(TimeSpan.FromSeconds(1));
        metrics.Record(Steps.Snapshot(2, [1], skipped: true), [Steps.Issue(GradientIssueKind.Exploding), Steps.Remedy("skip_step")]);
        var points = collector.Collect(run);
        double Value(string name, string? key = null, string? value = null) => points.Single(p => p.Name == name && (key is null || p.Tags[key] == value)).Value;
        Assert.Equal(2, Value(N.IssuesRecent, N.Kind, "exploding"));
        Assert.Equal(0, Value(N.IssuesRecent, N.Kind, "vanishing"));
        Assert.Equal(1, Value(N.RemediesRecent, N.Remedy, "skip_step"));
        Assert.Equal(1, Value(N.StepsSkippedRecent));
        Assert.All(points.Where(p => p.Name is N.IssuesRecent or N.RemediesRecent or N.StepsSkippedRecent), p => Assert.Equal(MetricType.LongGauge, p.Type));

        // Every reader sees the same counts: collecting resets nothing.
        using var other = new MetricsCollector();
        Assert.Equal(2, other.Collect(run).Single(p => p.Name == N.IssuesRecent && p.Tags[N.Kind] == "exploding").Value);

        // Still counted late in the window, forgotten after it; the cumulative counters keep everything.
        time.Advance(TimeSpan.FromSeconds(10));
        points = collector.Collect(run);
        Assert.Equal(2, Value(N.IssuesRecent, N.Kind, "exploding"));
        time.Advance(TimeSpan.FromSeconds(1));
        points = collector.Collect(run);
        Assert.Equal(1, Value(N.IssuesRecent, N.Kind, "exploding"));
        time.Advance(TimeSpan.FromSeconds(1));
        points = collector.Collect(run);
        Assert.Equal(0, Value(N.IssuesRecent, N.Kind, "exploding"));
        Assert.Equal(0, Value(N.StepsSkippedRecent));
        Assert.Equal(2, Value(N.Issues, N.Kind, "exploding"));
        Assert.Equal(1, Value(N.StepsSkipped));
    }

    [Fact]
    public void A_spike_between_two_collections_shows_in_the_peak_series_until_the_window_passes()
    {
        string run = Run();
        var time = new ManualTime();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run, layers: 1, o => o.MetricsPeakWindow = TimeSpan.FromSeconds(12), time);
        metrics.Record(Steps.Snapshot(1, [1]), []);
        collector.Collect(run);

        // Between two scrapes: a spike, then back to normal.
        time.Advance(TimeSpan.FromSeconds(1));
        metrics.Record(Steps.Snapshot(2, [500]), []);
        time.Advance(TimeSpan.FromSeconds(1));
        metrics.Record(Steps.Snapshot(3, [2]), []);
        var points = collector.Collect(run);
        Assert.Equal(2, points.Single(p => p.Name == N.LayerGradientNorm).Value);
        Assert.Equal(500, points.Single(p => p.Name == N.LayerGradientNormPeak).Value);
        Assert.Equal(250, points.Single(p => p.Name == N.LayerGradientMaxAbs).Value);
        Assert.Equal(500, points.Single(p => p.Name == N.GradientNormPeak).Value);

        // A second reader (another Prometheus, or OTLP) still sees it: collecting does not reset the peak.
        using var other = new MetricsCollector();
        Assert.Equal(500, other.Collect(run).Single(p => p.Name == N.LayerGradientNormPeak).Value);

        // After the window, the peak is the largest recent value again.
        time.Advance(TimeSpan.FromSeconds(12));
        metrics.Record(Steps.Snapshot(4, [3]), []);
        points = collector.Collect(run);
        Assert.Equal(3, points.Single(p => p.Name == N.LayerGradientNormPeak).Value);
        Assert.Equal(3, points.Single(p => p.Name == N.GradientNormPeak).Value);
    }

    [Fact]
    public void Non_finite_norms_are_reported_as_is_and_do_not_hide_the_peak()
    {
        string run = Run();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run, layers: 1);
        metrics.Record(Steps.Snapshot(1, [7]), []);
        metrics.Record(Steps.Snapshot(2, [double.NaN]), []);
        var points = collector.Collect(run);
        Assert.True(double.IsNaN(points.Single(p => p.Name == N.LayerGradientNorm).Value));
        Assert.Equal(7, points.Single(p => p.Name == N.LayerGradientNormPeak).Value);
    }

    [Fact]
    public void A_model_with_1000_layers_exports_the_capped_number_of_series_plus_one_aggregate()
    {
        string run = Run();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run, layers: 1000);
        var norms = Enumerable.Range(0, 1000).Select(i => (double)(i + 1)).ToArray();
        metrics.Record(Steps.Snapshot(1, norms, full: true), []);

        var points = collector.Collect(run).Where(p => p.Name == N.LayerGradientNorm).ToList();
        Assert.Equal(GradientWatchOptions.DefaultMaxExportedLayers + 1, points.Count);
        var layers = points.Select(p => p.Tags[N.Layer]).ToHashSet();
        Assert.Contains("fc0", layers);
        Assert.Contains("fc999", layers);
        Assert.Contains(N.OtherLayer, layers);

        // The aggregate holds exactly the layers not exported on their own: sqrt of the sum of squares.
        var kept = points.Where(p => p.Tags[N.Layer] != N.OtherLayer).Select(p => int.Parse(p.Tags[N.LayerIndex], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        double expected = Math.Sqrt(norms.Where((_, i) => !kept.Contains(i)).Sum(n => n * n));
        Assert.Equal(expected, points.Single(p => p.Tags[N.Layer] == N.OtherLayer).Value, 6);
        Assert.False(points.Single(p => p.Tags[N.Layer] == N.OtherLayer).Tags.ContainsKey(N.LayerIndex));

        var maxAbs = collector.Collect(run).Where(p => p.Name == N.LayerGradientMaxAbs).ToList();
        Assert.Equal(norms.Where((_, i) => !kept.Contains(i)).Max() / 2, maxAbs.Single(p => p.Tags[N.Layer] == N.OtherLayer).Value);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void The_cap_is_configurable(int cap)
    {
        string run = Run();
        using var collector = new MetricsCollector();
        using var metrics = NewMetrics(run, layers: 20, o => o.MaxExportedLayers = cap);
        metrics.Record(Steps.Snapshot(1, Enumerable.Repeat(1.0, 20).ToArray()), []);
        var points = collector.Collect(run).Where(p => p.Name == N.LayerGradientNorm).ToList();
        Assert.Equal(cap + 1, points.Count);
        Assert.Contains(points, p => p.Tags[N.Layer] == "fc19");
    }

    [Fact]
    public void Layer_and_run_names_are_sanitized_bounded_and_kept_distinct()
    {
        string longName = new string('x', 500);
        var exported = ExportedLayers.Create(["enc\n0", "enc\r0", longName, longName + "y", "  ", "ok.layer"], 64);
        Assert.Equal("enc_0", exported.Names[0]);
        Assert.NotEqual(exported.Names[0], exported.Names[1]);
        Assert.All(exported.Names, n => Assert.True(n.Length <= MetricLabels.MaxLength, n));
        Assert.All(exported.Names, n => Assert.DoesNotContain(n, char.IsControl));
        Assert.NotEqual(exported.Names[2], exported.Names[3]);
        Assert.Equal("_", exported.Names[4]);
        Assert.Equal("ok.layer", exported.Names[5]);
        Assert.Equal(exported.Names.Count, exported.Names.Distinct().Count());
        Assert.Equal("a_b", MetricLabels.Sanitize("a\u0000b"));
    }

    [Fact]
    public void A_disposed_watchers_series_disappear()
    {
        string run = Run();
        using var collector = new MetricsCollector();
        var metrics = NewMetrics(run);
        metrics.Record(Steps.Snapshot(1, [1, 2, 3]), []);
        Assert.NotEmpty(collector.Collect(run));
        metrics.Dispose();
        Assert.Empty(collector.Collect(run));
    }

    [Fact]
    public void With_retention_a_disposed_watchers_series_stay_with_their_last_values_until_it_ends()
    {
        string kept = Run();
        string expiring = Run();
        using var collector = new MetricsCollector();
        var forever = NewMetrics(kept, configure: o => o.MetricsRetentionAfterDispose = Timeout.InfiniteTimeSpan);
        var brief = NewMetrics(expiring, configure: o => o.MetricsRetentionAfterDispose = TimeSpan.FromMilliseconds(200));
        forever.Record(Steps.Snapshot(1, [1, 2, 3]), []);
        brief.Record(Steps.Snapshot(1, [1, 2, 3]), []);
        forever.Dispose();
        brief.Dispose();

        Assert.Contains(collector.Collect(kept), p => p.Name == N.GradientNorm);
        Assert.Contains(collector.Collect(expiring), p => p.Name == N.GradientNorm);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (collector.Collect(expiring).Count > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Assert.Empty(collector.Collect(expiring));
        Assert.Contains(collector.Collect(kept), p => p.Name == N.GradientNorm);
        GradientWatchMeter.Unregister(forever);
    }

    [Fact]
    public void Several_watchers_report_side_by_side_with_their_run_ids()
    {
        string a = Run(), b = Run();
        using var collector = new MetricsCollector();
        using var ma = NewMetrics(a);
        using var mb = NewMetrics(b);
        ma.Record(Steps.Snapshot(1, [1, 1, 1]), []);
        mb.Record(Steps.Snapshot(1, [2, 2, 2]), []);
        mb.Record(Steps.Snapshot(2, [2, 2, 2]), []);
        Assert.Equal(1, collector.Collect(a).Single(p => p.Name == N.Steps).Value);
        Assert.Equal(2, collector.Collect(b).Single(p => p.Name == N.Steps).Value);
    }

    [Fact]
    public void Record_never_throws_on_odd_input()
    {
        using var metrics = NewMetrics(Run());
        var snapshot = Steps.Snapshot(1, [1, 2, 3, 4, 5]) with { LearningRates = [] };
        metrics.Record(snapshot, [null!, Steps.Issue((GradientIssueKind)99)]);
        metrics.Record(null!, null!);
    }
}
