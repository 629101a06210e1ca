using GradientWatch.Demo.Metrics;
using Spectre.Console.Testing;

namespace GradientWatch.Demo.Tests;

/// <summary>The demo serves Prometheus metrics on 127.0.0.1, and with --linger keeps the finished runs' series up.</summary>
[Collection(DemoCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task LingerKeepsTheFinishedRunsSeriesOnTheEndpoint()
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        IMetricsServer? server = null;
        var environment = new DemoEnvironment
        {
            IsTerminal = false,
            StartMetrics = (port, retain) => server = MetricsServers.Start(port, retain),
        };
        string dir = Path.Combine(Path.GetTempPath(), "gw-demo-metrics-" + Guid.NewGuid().ToString("N")[..8]);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var app = Task.Run(() => new DemoApp(console, environment).Run(new[] { "nan", "--epochs", "2", "--metrics-port", "0", "--linger", "--out", dir }, stop.Token));
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (!Output(console).Contains("until Ctrl+C", StringComparison.Ordinal) && !app.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(app.IsCompleted, Output(console));
            Assert.NotNull(server?.Url);
            Assert.StartsWith("http://127.0.0.1:", server!.Url);
            using var http = new HttpClient();
            string scrape = await http.GetStringAsync(server.Url);
            Assert.Contains("gradientwatch_steps_total{", scrape);
            Assert.Contains("run_id=\"nan\"", scrape);
            Assert.Matches("gradientwatch_steps_skipped_total\\{[^}]*run_id=\"nan\"[^}]*\\} 2", scrape);
            Assert.Matches("gradientwatch_issues_total\\{[^}]*kind=\"non_finite\"[^}]*run_id=\"nan\"[^}]*\\} 2", scrape);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await app);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Output(TestConsole console)
    {
        try
        {
            return console.Output;
        }
        catch (ArgumentOutOfRangeException)
        {
            return string.Empty; // read while the demo was writing
        }
    }
}
