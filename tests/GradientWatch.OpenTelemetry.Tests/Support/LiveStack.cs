using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// A real monitoring stack on 127.0.0.1, started for the live tests and stopped after them: Prometheus and
/// Alertmanager (Debian's binaries) with the repository's own configuration files, a webhook receiver,
/// and three real training processes (two healthy runs, one exploding), each serving its metrics.
/// Every process started here is stopped by its PID in <see cref="MonitoringStack.Dispose"/>.
/// </summary>
public sealed class LiveStack : MonitoringStack
{
    public const string RunA = "run-a";
    public const string RunB = "run-b";
    public const string RunExploding = "run-x";

    private PromApi prometheus = null!;

    public LiveStack()
        : base("live")
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

    public Uri PrometheusUri => prometheus.BaseUri;

    /// <summary>Runs an instant PromQL query and returns its result vector.</summary>
    public JsonArray Query(string promql) => prometheus.Query(promql);

    /// <summary>Values of a label on series matching a selector (what Grafana's label_values() does).</summary>
    public string[] LabelValues(string label, string match) => prometheus.LabelValues(label, match);

    protected override void DisposeClients() => prometheus?.Dispose();

    private void Start()
    {
        int promPort = Tools.FreePort(), amPort = Tools.FreePort();
        int[] trainerPorts = [Tools.FreePort(), Tools.FreePort(), Tools.FreePort()];

        // The repository's Prometheus configuration and rules, with the intervals shortened to 1 s.
        string config = CopyPrometheusConfig("prometheus.yml");
        WriteTargets(trainerPorts);
        Directory.CreateDirectory(Path.Combine(Dir, "alertmanagers"));
        File.WriteAllText(Path.Combine(Dir, "alertmanagers", "live.json"), $"[{{\"targets\": [\"127.0.0.1:{amPort}\"]}}]");

        StartAlertmanager(amPort);
        Processes.Launch("prometheus", Tools.Require("prometheus", Tools.PrometheusHint),
        [
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(Dir, "data")}",
            $"--web.listen-address=127.0.0.1:{promPort}",
        ]);
        prometheus = new PromApi(new Uri($"http://127.0.0.1:{promPort}/"));

        // The healthy runs are 4 layers deep: at 8, the layers nearest the input can trip the vanishing detector.
        LaunchTrainer(RunA, trainerPorts[0], 1, ["--mode", "normal", "--depth", "4", "--seconds", "300"]);
        LaunchTrainer(RunB, trainerPorts[1], 2, ["--mode", "normal", "--depth", "4", "--seconds", "300"]);
        LaunchTrainer(RunExploding, trainerPorts[2], 3, ["--mode", "exploding", "--seconds", "300"]);

        WaitUntil(TimeSpan.FromSeconds(30), "Prometheus ready", () => prometheus.Get("-/ready") is not null);
    }
}
