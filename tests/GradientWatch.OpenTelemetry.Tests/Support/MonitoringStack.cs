using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// What every live monitoring stack of the tests shares: a scratch folder, the processes it started (stopped by
/// PID in <see cref="Dispose"/>), Alertmanager with the repository's configuration, a webhook receiver, and real
/// training processes (samples/GradientWatch.MetricsDemo), each serving its metrics on its own free port.
/// </summary>
public abstract class MonitoringStack : IDisposable
{
    private WebhookReceiver? webhook;

    protected MonitoringStack(string name)
    {
        Dir = Path.Combine(Path.GetTempPath(), $"gradientwatch-{name}-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        Processes = new ProcessGroup(Dir);
    }

    public Stopwatch Started { get; } = Stopwatch.StartNew();

    public string Logs => Processes.Logs;

    /// <summary>Alertmanager notifications received by the webhook.</summary>
    public IEnumerable<JsonNode> Alerts => webhook?.Alerts ?? [];

    protected string Dir { get; }

    protected ProcessGroup Processes { get; }

    public void WaitUntil(TimeSpan timeout, string what, Func<bool> condition) => Processes.WaitUntil(timeout, what, condition);

    public void Dispose()
    {
        Processes.Dispose();
        webhook?.Dispose();
        DisposeClients();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (Exception)
        {
            // Best effort.
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the stack's HTTP clients.</summary>
    protected abstract void DisposeClients();

    /// <summary>Starts Alertmanager with the repository's configuration, its webhook pointed at a receiver of ours.</summary>
    protected void StartAlertmanager(int port)
    {
        int hookPort = Tools.FreePort();
        string am = File.ReadAllText(Repo.Path("dashboards", "alertmanager", "alertmanager.yml"));
        const string exampleUrl = "http://127.0.0.1:5001/gradientwatch";
        Assert.Contains(exampleUrl, am);
        File.WriteAllText(Path.Combine(Dir, "alertmanager.yml"), am.Replace(exampleUrl, $"http://127.0.0.1:{hookPort}/gradientwatch", StringComparison.Ordinal));
        webhook = new WebhookReceiver(hookPort);
        Processes.Launch("alertmanager", Tools.Require("prometheus-alertmanager", Tools.PrometheusHint),
        [
            $"--config.file={Path.Combine(Dir, "alertmanager.yml")}", $"--storage.path={Path.Combine(Dir, "am")}",
            $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
        ]);
    }

    /// <summary>Copies the repository's Prometheus configuration file and rules, with the intervals shortened to 1 s (or <paramref name="interval"/>).</summary>
    protected string CopyPrometheusConfig(string file, Func<string, string>? edit = null, string interval = "1s")
    {
        string src = Repo.Path("dashboards", "prometheus");
        string config = File.ReadAllText(Path.Combine(src, file));
        Assert.Contains("  scrape_interval: 5s\n", config);
        config = config.Replace("  scrape_interval: 5s\n", $"  scrape_interval: {interval}\n", StringComparison.Ordinal)
            .Replace("  evaluation_interval: 5s\n", $"  evaluation_interval: {interval}\n", StringComparison.Ordinal);
        string path = Path.Combine(Dir, file);
        File.WriteAllText(path, edit is null ? config : edit(config));
        Directory.CreateDirectory(Path.Combine(Dir, "rules"));
        foreach (string f in Directory.GetFiles(Path.Combine(src, "rules")))
        {
            File.Copy(f, Path.Combine(Dir, "rules", Path.GetFileName(f)), overwrite: true);
        }

        return path;
    }

    /// <summary>Writes a file_sd targets file Prometheus reads (targets/<paramref name="name"/>.json), atomically.</summary>
    protected void WriteTargets(IEnumerable<int> ports, string name = "live")
    {
        Directory.CreateDirectory(Path.Combine(Dir, "targets"));
        string path = Path.Combine(Dir, "targets", name + ".json");
        File.WriteAllText(path + ".tmp", new JsonArray(new JsonObject
        {
            ["targets"] = new JsonArray(ports.Select(p => (JsonNode)$"127.0.0.1:{p}").ToArray()),
        }).ToJsonString());
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Starts one training process (the MetricsDemo sample) serving on <paramref name="port"/>.</summary>
    protected void LaunchTrainer(string runId, int port, int seed, string[] extraArgs, bool mayExit = false)
    {
        string trainer = Repo.MetricsDemoDll;
        Assert.True(File.Exists(trainer), $"The training program {trainer} is not built; build the solution first.");
        Processes.Launch(runId, "dotnet",
        [
            trainer, "--port", port.ToString(CultureInfo.InvariantCulture), "--run-id", runId,
            "--steps-per-second", "10", "--seed", seed.ToString(CultureInfo.InvariantCulture), .. extraArgs,
        ], mayExit);
    }
}
