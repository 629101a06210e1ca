using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// A real monitoring stack on 127.0.0.1, started for the live tests and stopped after them: Prometheus and
/// Alertmanager (Debian's binaries) with the repository's own configuration files, a webhook receiver,
/// and three real training processes (two healthy runs, one exploding), each serving its metrics.
/// Every process started here is stopped by its PID in <see cref="Dispose"/>.
/// </summary>
public sealed class LiveStack : IDisposable
{
    public const string RunA = "run-a";
    public const string RunB = "run-b";
    public const string RunExploding = "run-x";

    private readonly List<(string Name, Process Process, ConcurrentQueue<string> Log)> processes = new();
    private readonly HttpListener webhook = new();
    private readonly string dir = Path.Combine(Path.GetTempPath(), "gradientwatch-live-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public LiveStack()
    {
        Started = Stopwatch.StartNew();
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

    public Stopwatch Started { get; }

    public Uri PrometheusUri { get; private set; } = null!;

    public ConcurrentQueue<JsonObject> Notifications { get; } = new();

    public string Logs => string.Join("\n", processes.Select(p => $"--- {p.Name} (exited: {p.Process.HasExited})\n" + string.Join("\n", p.Log.TakeLast(30))));

    private void Start()
    {
        string prometheus = Tools.Require("prometheus", Tools.PrometheusHint);
        string alertmanager = Tools.Require("prometheus-alertmanager", Tools.PrometheusHint);
        string trainer = Repo.MetricsDemoDll;
        Assert.True(File.Exists(trainer), $"The training program {trainer} is not built; build the solution first.");

        int promPort = Tools.FreePort(), amPort = Tools.FreePort(), hookPort = Tools.FreePort();
        int[] trainerPorts = [Tools.FreePort(), Tools.FreePort(), Tools.FreePort()];
        Directory.CreateDirectory(dir);

        // The repository's Prometheus configuration and rules, with the intervals shortened to 1 s.
        string src = Repo.Path("dashboards", "prometheus");
        string config = File.ReadAllText(Path.Combine(src, "prometheus.yml"));
        Assert.Contains("  scrape_interval: 5s\n", config);
        Assert.Contains("  evaluation_interval: 5s\n", config);
        config = config.Replace("  scrape_interval: 5s\n", "  scrape_interval: 1s\n").Replace("  evaluation_interval: 5s\n", "  evaluation_interval: 1s\n");
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), config);
        Directory.CreateDirectory(Path.Combine(dir, "rules"));
        foreach (string f in Directory.GetFiles(Path.Combine(src, "rules")))
        {
            File.Copy(f, Path.Combine(dir, "rules", Path.GetFileName(f)));
        }

        Directory.CreateDirectory(Path.Combine(dir, "targets"));
        File.WriteAllText(Path.Combine(dir, "targets", "live.json"), new JsonArray(new JsonObject
        {
            ["targets"] = new JsonArray(trainerPorts.Select(p => (JsonNode)$"127.0.0.1:{p}").ToArray()),
        }).ToJsonString());
        Directory.CreateDirectory(Path.Combine(dir, "alertmanagers"));
        File.WriteAllText(Path.Combine(dir, "alertmanagers", "live.json"), $"[{{\"targets\": [\"127.0.0.1:{amPort}\"]}}]");

        // The repository's Alertmanager configuration, pointing its webhook at our receiver.
        string am = File.ReadAllText(Repo.Path("dashboards", "alertmanager", "alertmanager.yml"));
        const string exampleUrl = "http://127.0.0.1:5001/gradientwatch";
        Assert.Contains(exampleUrl, am);
        File.WriteAllText(Path.Combine(dir, "alertmanager.yml"), am.Replace(exampleUrl, $"http://127.0.0.1:{hookPort}/gradientwatch"));

        webhook.Prefixes.Add($"http://127.0.0.1:{hookPort}/");
        webhook.Start();
        _ = Task.Run(ReceiveWebhooks);

        Launch("alertmanager", alertmanager,
        [
            $"--config.file={Path.Combine(dir, "alertmanager.yml")}", $"--storage.path={Path.Combine(dir, "am")}",
            $"--web.listen-address=127.0.0.1:{amPort}", "--cluster.listen-address=",
        ]);
        Launch("prometheus", prometheus,
        [
            $"--config.file={Path.Combine(dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{promPort}",
        ]);
        PrometheusUri = new Uri($"http://127.0.0.1:{promPort}/");

        (string Run, string Mode)[] runs = [(RunA, "normal"), (RunB, "normal"), (RunExploding, "exploding")];
        for (int i = 0; i < runs.Length; i++)
        {
            Launch(runs[i].Run, "dotnet",
            [
                trainer, "--port", trainerPorts[i].ToString(System.Globalization.CultureInfo.InvariantCulture), "--run-id", runs[i].Run,
                "--mode", runs[i].Mode, "--seconds", "300", "--steps-per-second", "10", "--seed", (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ]);
        }

        WaitUntil(TimeSpan.FromSeconds(30), "Prometheus ready", () => Get("-/ready") is not null);
    }

    /// <summary>Runs an instant PromQL query and returns its result vector.</summary>
    public JsonArray Query(string promql)
    {
        string? body = Get("api/v1/query?query=" + Uri.EscapeDataString(promql));
        Assert.NotNull(body);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("success", json["status"]!.GetValue<string>());
        return json["data"]!["result"]!.AsArray();
    }

    /// <summary>Values of a label on series matching a selector (what Grafana's label_values() does).</summary>
    public string[] LabelValues(string label, string match)
    {
        string? body = Get($"api/v1/label/{label}/values?match[]=" + Uri.EscapeDataString(match));
        Assert.NotNull(body);
        return JsonNode.Parse(body)!["data"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
    }

    public void WaitUntil(TimeSpan timeout, string what, Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            foreach (var p in processes)
            {
                Assert.False(p.Process.HasExited, $"{p.Name} exited with code {(p.Process.HasExited ? p.Process.ExitCode : 0)} while waiting for {what}.\n{Logs}");
            }

            if (condition())
            {
                return;
            }

            Assert.True(deadline.Elapsed < timeout, $"Timed out after {timeout.TotalSeconds} s waiting for {what}.\n{Logs}");
            Thread.Sleep(500);
        }
    }

    public void Dispose()
    {
        foreach (var (_, process, _) in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.WaitForExit(10_000);
            }
            catch (Exception)
            {
                // Already gone.
            }

            process.Dispose();
        }

        try
        {
            webhook.Close();
        }
        catch (Exception)
        {
            // Never started.
        }

        http.Dispose();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception)
        {
            // Best effort.
        }
    }

    private string? Get(string path)
    {
        try
        {
            using var response = http.GetAsync(new Uri(PrometheusUri, path)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? response.Content.ReadAsStringAsync().GetAwaiter().GetResult() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    private void Launch(string name, string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var log = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = psi };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            log.Enqueue(e.Data);
            while (log.Count > 200 && log.TryDequeue(out string? _))
            {
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        processes.Add((name, process, log));
    }

    private async Task ReceiveWebhooks()
    {
        while (webhook.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await webhook.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }

            try
            {
                using var reader = new StreamReader(context.Request.InputStream);
                if (JsonNode.Parse(await reader.ReadToEndAsync()) is JsonObject payload)
                {
                    Notifications.Enqueue(payload);
                }
            }
            catch (Exception)
            {
                // A malformed notification fails the test through its absence.
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
