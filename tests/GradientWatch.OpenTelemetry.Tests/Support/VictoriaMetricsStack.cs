using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// Many runs, one scalable backend, live on 127.0.0.1: four training processes, each with its own run id; a
/// Prometheus that scrapes them with the repository's dashboards/prometheus/prometheus-remote-write.yml and
/// remote-writes everything to VictoriaMetrics (Debian's victoria-metrics); vmalert evaluating the repository's
/// alert and recording rules against VictoriaMetrics (writing recording rules and alert state back to it) and
/// notifying Alertmanager; a webhook receiver. The runs cover every status of the Runs dashboard: healthy, issues
/// (exploding on every step), halted (HaltAfter stops it, the process keeps serving) and finished (the process
/// exits after a few seconds of training). Every process started here is stopped by its PID.
/// </summary>
public sealed class VictoriaMetricsStack : MonitoringStack
{
    public const string RunHealthy = "vm-healthy";
    public const string RunExploding = "vm-exploding";
    public const string RunHalted = "vm-halted";
    public const string RunFinished = "vm-finished";

    /// <summary>The healthy run's model: 4 layers, which never trip the vanishing detector (8 can).</summary>
    public const string HealthyModel = "shallow-mlp";

    private PromApi vm = null!;
    private PromApi vmalert = null!;

    public VictoriaMetricsStack()
        : base("vm")
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

    public static string[] AllRuns => [RunHealthy, RunExploding, RunHalted, RunFinished];

    /// <summary>VictoriaMetrics' Prometheus-compatible query API.</summary>
    public PromApi VictoriaMetrics => vm;

    /// <summary>vmalert's API (its /api/v1/alerts lists the alerts it evaluates).</summary>
    public PromApi Vmalert => vmalert;

    protected override void DisposeClients()
    {
        vm?.Dispose();
        vmalert?.Dispose();
    }

    private void Start()
    {
        string victoria = Tools.Require("victoria-metrics", Tools.VictoriaMetricsHint);
        string vmalertBin = Tools.Require("vmalert", Tools.VictoriaMetricsHint);
        string prometheus = Tools.Require("prometheus", Tools.PrometheusHint);
        int vmPort = Tools.FreePort(), promPort = Tools.FreePort(), vmalertPort = Tools.FreePort(), amPort = Tools.FreePort();
        int[] trainerPorts = [Tools.FreePort(), Tools.FreePort(), Tools.FreePort(), Tools.FreePort()];

        // The repository's remote-write configuration, pointed at this VictoriaMetrics.
        const string shippedUrl = "url: http://127.0.0.1:8428/api/v1/write";
        string config = CopyPrometheusConfig("prometheus-remote-write.yml", c =>
        {
            Assert.Contains(shippedUrl, c);
            return c.Replace(shippedUrl, $"url: http://127.0.0.1:{vmPort}/api/v1/write", StringComparison.Ordinal);
        });
        WriteTargets(trainerPorts);

        // Data becomes visible to queries 1 s after it arrives (30 s by default), so the test need not wait.
        Processes.Launch("victoria-metrics", victoria,
        [
            $"-httpListenAddr=127.0.0.1:{vmPort}", $"-storageDataPath={Path.Combine(Dir, "vm")}", "-retentionPeriod=1d",
            "-search.latencyOffset=1s",
        ]);
        vm = new PromApi(new Uri($"http://127.0.0.1:{vmPort}/"));
        WaitUntil(TimeSpan.FromSeconds(30), "VictoriaMetrics ready", () => vm.Get("health") is not null);

        StartAlertmanager(amPort);
        string vmUrl = $"http://127.0.0.1:{vmPort}";
        Processes.Launch("vmalert", vmalertBin,
        [
            $"-rule={Path.Combine(Dir, "rules", "*.yml")}", $"-datasource.url={vmUrl}", $"-remoteWrite.url={vmUrl}", $"-remoteRead.url={vmUrl}",
            $"-notifier.url=http://127.0.0.1:{amPort}", $"-httpListenAddr=127.0.0.1:{vmalertPort}", "-evaluationInterval=1s",
        ]);
        vmalert = new PromApi(new Uri($"http://127.0.0.1:{vmalertPort}/"));
        Processes.Launch("prometheus", prometheus,
        [
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(Dir, "data")}", $"--web.listen-address=127.0.0.1:{promPort}",
        ]);

        LaunchTrainer(RunHealthy, trainerPorts[0], 1, ["--mode", "normal", "--depth", "4", "--model", HealthyModel, "--seconds", "300"]);
        LaunchTrainer(RunExploding, trainerPorts[1], 2, ["--mode", "exploding", "--seconds", "300"]);
        LaunchTrainer(RunHalted, trainerPorts[2], 3, ["--mode", "exploding", "--halt-after", "20", "--seconds", "300"]);
        LaunchTrainer(RunFinished, trainerPorts[3], 4, ["--mode", "normal", "--depth", "4", "--model", HealthyModel, "--seconds", "6"], mayExit: true);

        WaitUntil(TimeSpan.FromSeconds(30), "vmalert ready", () => vmalert.Get("health") is not null);
    }

    /// <summary>The alerts vmalert currently evaluates as pending or firing.</summary>
    public JsonArray VmalertAlerts()
    {
        string? body = vmalert.Get("api/v1/alerts");
        Assert.NotNull(body);
        return JsonNode.Parse(body)!["data"]!["alerts"]!.AsArray();
    }
}
