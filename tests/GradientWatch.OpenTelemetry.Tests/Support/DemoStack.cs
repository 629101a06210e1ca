using System.Globalization;
using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// Prometheus with the repository's own configuration as is (5 s scrape and evaluation intervals) and rules,
/// Alertmanager with its webhook, and the demo as the workload: its <c>watch</c> scenario paced in real time (scraped
/// from the start), and its <c>exploding</c> scenario, listed for scraping only once it finished training, so all of
/// its exploding events come before its first scrape. Every process is stopped by its PID with the stack.
/// </summary>
public sealed class DemoStack : MonitoringStack
{
    public const string Watch = "watch";
    public const string Exploding = "exploding";

    /// <summary>Steps and pace of the watch run: 60 s of training (its phases scale with the steps).</summary>
    public const int WatchSteps = 240;
    public const int WatchPace = 4;

    /// <summary>The bundled scrape and evaluation interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;
    private PromApi prometheus = null!;

    public DemoStack()
        : base("demo")
    {
        try
        {
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>When the exploding run was listed for scraping; null until it finished training.</summary>
    public DateTimeOffset? ExplodingTargetAddedAt { get; private set; }

    /// <summary>Runs an instant PromQL query.</summary>
    public JsonArray Query(string promql) => prometheus.Query(promql);

    /// <summary>Runs a range query over the stack's lifetime, with the scrape interval as step, as a Grafana panel does.</summary>
    public JsonArray QueryRange(string promql) => prometheus.QueryRange(promql, startedAt, Interval);

    /// <summary>Values of a label on series matching a selector (what Grafana's label_values() does).</summary>
    public string[] LabelValues(string label, string match) => prometheus.LabelValues(label, match);

    /// <summary>The output lines of a demo process.</summary>
    public IReadOnlyCollection<string> LogOf(string name) => Processes.LogOf(name);

    protected override void DisposeClients() => prometheus?.Dispose();

    private void Start()
    {
        string demo = Repo.DemoDll;
        Assert.True(File.Exists(demo), $"The demo {demo} is not built; build the solution first.");
        int promPort = Tools.FreePort(), amPort = Tools.FreePort(), watchPort = Tools.FreePort(), explodingPort = Tools.FreePort();

        // The repository's configuration with its own 5 s intervals.
        string config = CopyPrometheusConfig("prometheus.yml", interval: "5s");
        WriteTargets([watchPort], Watch);
        Directory.CreateDirectory(Path.Combine(Dir, "alertmanagers"));
        File.WriteAllText(Path.Combine(Dir, "alertmanagers", "live.json"), $"[{{\"targets\": [\"127.0.0.1:{amPort}\"]}}]");
        StartAlertmanager(amPort);
        Processes.Launch("prometheus", Tools.Require("prometheus", Tools.PrometheusHint),
        [
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(Dir, "data")}", $"--web.listen-address=127.0.0.1:{promPort}",
        ]);
        prometheus = new PromApi(new Uri($"http://127.0.0.1:{promPort}/"));

        LaunchDemo(Watch, watchPort, "--steps", WatchSteps.ToString(CultureInfo.InvariantCulture), "--pace", WatchPace.ToString(CultureInfo.InvariantCulture));
        LaunchDemo(Exploding, explodingPort);
        WaitUntil(TimeSpan.FromSeconds(30), "Prometheus ready", () => prometheus.Get("-/ready") is not null);

        // Prometheus learns of the exploding run only after it trained: every one of its events precedes its first scrape.
        _ = Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(150);
            while (DateTime.UtcNow < deadline && !LogOf(Exploding).Any(l => l.Contains("Serving metrics at", StringComparison.Ordinal)))
            {
                await Task.Delay(200);
            }

            if (DateTime.UtcNow < deadline)
            {
                WriteTargets([explodingPort], Exploding);
                ExplodingTargetAddedAt = DateTimeOffset.UtcNow;
            }
        });
    }

    private void LaunchDemo(string scenario, int port, params string[] more) => Processes.Launch(scenario, "dotnet",
    [
        Repo.DemoDll, scenario, "--no-live", "--metrics-port", port.ToString(CultureInfo.InvariantCulture), "--linger", "300",
        "-o", Path.Combine(Dir, scenario + "-out"), .. more,
    ]);
}
