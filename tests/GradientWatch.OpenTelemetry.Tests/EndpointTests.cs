using System.Net;
using System.Net.Sockets;
using GradientWatch.OpenTelemetry.Tests.Support;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>The Prometheus endpoint for console training programs, tied to the watcher's lifetime.</summary>
public sealed class EndpointTests
{
    /// <summary>The Prometheus names of every instrument, as the exporter emits them (see docs/metrics.md).</summary>
    public static readonly string[] ExpectedSeries =
    [
        "gradientwatch_layer_gradient_norm",
        "gradientwatch_layer_gradient_norm_peak",
        "gradientwatch_layer_gradient_max_abs",
        "gradientwatch_layer_gradient_zero_fraction",
        "gradientwatch_layer_gradient_nonfinite_total",
        "gradientwatch_layer_weight_norm",
        "gradientwatch_layer_update_ratio",
        "gradientwatch_layer_gradient_float16_underflow_fraction",
        "gradientwatch_layer_gradient_bfloat16_underflow_fraction",
        "gradientwatch_layer_gradient_magnitude_bucket",
        "gradientwatch_layer_gradient_magnitude_sum",
        "gradientwatch_layer_gradient_magnitude_count",
        "gradientwatch_gradient_norm",
        "gradientwatch_gradient_norm_peak",
        "gradientwatch_loss",
        "gradientwatch_learning_rate",
        "gradientwatch_step_size_alpha",
        "gradientwatch_steps_total",
        "gradientwatch_steps_skipped_total",
        "gradientwatch_issues_total",
        "gradientwatch_remedies_total",
        "gradientwatch_steps_skipped_recent",
        "gradientwatch_issues_recent",
        "gradientwatch_remedies_recent",
    ];

    [Fact]
    public void The_exporter_emits_exactly_the_documented_names()
    {
        Assert.Equal(ExpectedSeries.Order(), Scrape.SeriesNames.Order());
        Assert.DoesNotContain(Scrape.SeriesNames, n => n.EndsWith("_ratio_ratio", StringComparison.Ordinal) || n.Contains("_1_", StringComparison.Ordinal));
        Assert.Contains("target_info{", Scrape.MetricsText);
        Assert.Contains("service_instance_id=", Scrape.MetricsText);
    }

    [Fact]
    public void Docs_metrics_table_lists_exactly_the_exported_names()
    {
        string doc = File.ReadAllText(Repo.Path("docs", "metrics.md"));
        var documented = System.Text.RegularExpressions.Regex.Matches(doc, @"^\| `(gradientwatch_[a-z0-9_]+)`", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(ExpectedSeries.Order(), documented.Order());
    }

    [Fact]
    public void The_scraped_text_passes_promtool_check_metrics()
    {
        var (code, output) = Tools.Run(Tools.Promtool, ["check", "metrics"], stdin: Scrape.MetricsText);
        Assert.True(code == 0, "promtool check metrics failed:\n" + output);
    }

    [Fact]
    public void A_watcher_serves_metrics_while_it_lives_and_stops_serving_when_disposed()
    {
        torch.manual_seed(1);
        using var model = nn.Sequential(("fc0", nn.Linear(4, 8)), ("act", nn.ReLU()), ("fc1", nn.Linear(8, 1)));
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        Uri? endpoint;
        string runId = "endpoint-" + Guid.NewGuid().ToString("N")[..6];
        using (var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.RunId = runId).ExportMetrics(e => e.Port = 0)))
        {
            var export = ExportOf(Assert.Single(watch.Attachments));
            endpoint = export.PrometheusEndpoint;
            Assert.NotNull(endpoint);
            Assert.Equal("127.0.0.1", endpoint!.Host);
            TrainSteps(model, optimizer, watch, 3);

            string text = Scrape.Get(endpoint);
            Assert.Contains($"gradientwatch_steps_total{{otel_scope_name=\"GradientWatch\"", text);
            Assert.Contains($"run_id=\"{runId}\"", text);
            Assert.Contains("layer=\"fc1\"", text);
        }

        Assert.ThrowsAny<HttpRequestException>(() => Scrape.Get(endpoint));
    }

    [Fact]
    public void A_port_in_use_logs_a_warning_and_training_goes_on()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        int port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));

        torch.manual_seed(1);
        using var model = nn.Sequential(("fc0", nn.Linear(4, 1)));
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.ExportMetrics(e => { e.Port = port; e.LoggerFactory = loggerFactory; }));
        TrainSteps(model, optimizer, watch, 2);
        Assert.Equal(2, watch.StepCount);

        var export = ExportOf(Assert.Single(watch.Attachments));
        Assert.Null(export.PrometheusEndpoint);
        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains($"127.0.0.1:{port}", warning.Message);
        Assert.Contains("Training continues", warning.Message);
    }

    [Fact]
    public void Watchers_asking_for_the_same_port_share_one_endpoint_until_the_last_is_disposed()
    {
        int port = Tools.FreePort();
        var options = new GradientWatchExportOptions { Port = port };
        var first = GradientWatchMetricsExport.Acquire(options);
        var second = GradientWatchMetricsExport.Acquire(options);
        var uri = new Uri($"http://127.0.0.1:{port}/metrics");
        Scrape.Get(uri);
        first.Dispose();
        Scrape.Get(uri);
        second.Dispose();
        Assert.ThrowsAny<HttpRequestException>(() => Scrape.Get(uri));
    }

    [Fact]
    public void The_otlp_exporter_can_run_alone_and_stops_cleanly()
    {
        // Nothing listens on the OTLP port: export failures are the SDK's to log, never the trainer's problem.
        using var export = GradientWatchMetricsExport.Start(new GradientWatchExportOptions
        {
            ServePrometheus = false,
            UseOtlpExporter = true,
            OtlpEndpoint = new Uri($"http://127.0.0.1:{Tools.FreePort()}"),
            OtlpProtocol = global::OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf,
            OtlpExportInterval = TimeSpan.FromMilliseconds(200),
        });
        Assert.Null(export.PrometheusEndpoint);
    }

    private static GradientWatchMetricsExport ExportOf(IDisposable attachment) => attachment switch
    {
        GradientWatchMetricsExport e => e,
        GradientWatchMetricsExport.Lease l => l.Export,
        _ => throw new Xunit.Sdk.XunitException("unexpected attachment " + attachment.GetType()),
    };

    private static void TrainSteps(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, GradientWatcher watch, int steps)
    {
        var x = torch.rand(16, 4);
        var y = torch.rand(16, 1);
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            watch.Step(loss);
        }
    }

    internal sealed class ListLoggerProvider : ILoggerProvider
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries)
                {
                    owner.Entries.Add((logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
