using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GradientWatch.OpenTelemetry.Tests.Support;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>Exporter faults: a collector that is down or never answers, and requests the endpoint must refuse.</summary>
public sealed class FaultTests
{
    [Fact]
    public void Otlp_export_failures_are_logged_once_and_training_goes_on()
    {
        var logs = new EndpointTests.ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        int closedPort = Tools.FreePort();
        torch.manual_seed(1);
        using var model = nn.Sequential(("fc0", nn.Linear(4, 1)));
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.ExportMetrics(e =>
        {
            e.ServePrometheus = false;
            e.UseOtlpExporter = true;
            e.OtlpEndpoint = new Uri($"http://127.0.0.1:{closedPort}");
            e.OtlpProtocol = global::OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
            e.OtlpExportInterval = TimeSpan.FromMilliseconds(100);
            e.LoggerFactory = loggerFactory;
        }));
        var export = (GradientWatchMetricsExport)Assert.Single(watch.Attachments);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (export.OtlpFailures < 3 && DateTime.UtcNow < deadline)
        {
            Step(model, optimizer, watch);
            Thread.Sleep(50);
        }

        Assert.True(export.OtlpFailures >= 3, $"only {export.OtlpFailures} failed exports seen");
        string[] warnings;
        lock (logs.Entries)
        {
            warnings = logs.Entries.Where(l => l.Message.Contains("exporting metrics over OTLP", StringComparison.Ordinal)).Select(l => l.Message).ToArray();
        }

        var warning = Assert.Single(warnings);
        Assert.Contains($"127.0.0.1:{closedPort}", warning);
        Assert.Contains("Training continues", warning);
    }

    [Fact]
    public void A_collector_that_never_answers_cannot_hold_dispose_beyond_the_shutdown_timeout()
    {
        // Accepts connections (the kernel completes the handshake) and never reads or answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        torch.manual_seed(1);
        using var model = nn.Sequential(("fc0", nn.Linear(4, 1)));
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        var watch = model.WatchGradients(optimizer, w => w.ExportMetrics(e =>
        {
            e.ServePrometheus = false;
            e.UseOtlpExporter = true;
            e.OtlpEndpoint = new Uri($"http://127.0.0.1:{port}");
            e.OtlpProtocol = global::OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
            e.OtlpExportInterval = TimeSpan.FromSeconds(30);
            e.ShutdownTimeout = TimeSpan.FromMilliseconds(500);
            e.LoggerFactory = LoggerFactory.Create(_ => { });
        }));
        Step(model, optimizer, watch);
        var clock = Stopwatch.StartNew();
        watch.Dispose();
        clock.Stop();

        // Before the bound, the SDK waited 5 s here (its default shutdown timeout) for the final export.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"Dispose took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Theory]
    [InlineData("POST", HttpStatusCode.MethodNotAllowed)]
    [InlineData("PUT", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", HttpStatusCode.OK)]
    [InlineData("HEAD", HttpStatusCode.OK)]
    public async Task The_endpoint_answers_only_get_and_head(string method, HttpStatusCode expected)
    {
        using var export = GradientWatchMetricsExport.Start(new GradientWatchExportOptions { Port = 0, LoggerFactory = LoggerFactory.Create(_ => { }) });
        Assert.NotNull(export.PrometheusEndpoint);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(new HttpMethod(method), export.PrometheusEndpoint);
        using var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.MethodNotAllowed)
        {
            Assert.Equal(new[] { "GET", "HEAD" }, response.Content.Headers.Allow.Select(m => m.Trim()).ToArray());
        }
    }

    [Fact]
    public async Task Other_paths_are_not_found()
    {
        using var export = GradientWatchMetricsExport.Start(new GradientWatchExportOptions { Port = 0, LoggerFactory = LoggerFactory.Create(_ => { }) });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await client.GetAsync(new Uri(export.PrometheusEndpoint!, "/admin"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, GradientWatcher watch)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        var loss = model.call(torch.rand(8, 4)).square().mean();
        loss.backward();
        watch.Step(loss);
    }
}
