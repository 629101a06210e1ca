using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// A real monitoring stack on 127.0.0.1, started for the live tests and stopped after them: Prometheus and
/// Alertmanager (Debian's binaries) with the repository's own configuration files, and a webhook receiver.
/// Workloads are launched with <see cref="Launch"/> and scraped once listed with <see cref="AddTargets"/>.
/// Every process started here is stopped by its PID in <see cref="Dispose"/>.
/// </summary>
public class MonitoringStack : IDisposable
{
    private readonly List<(string Name, Process Process, ConcurrentQueue<string> Log)> processes = new();
    private readonly HttpListener webhook = new();
    private readonly string dir = Path.Combine(Path.GetTempPath(), "gradientwatch-live-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <param name="interval">Scrape and rule evaluation interval: the repository's own (5 s), or shorter.</param>
    protected MonitoringStack(TimeSpan interval)
    {
        Started = Stopwatch.StartNew();
        StartedAt = DateTimeOffset.UtcNow;
        Interval = interval;
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

    public DateTimeOffset StartedAt { get; }

    /// <summary>The scrape and evaluation interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>A folder for the workloads' files, deleted with the stack.</summary>
    public string Directory => dir;

    public Uri PrometheusUri { get; private set; } = null!;

    public ConcurrentQueue<JsonObject> Notifications { get; } = new();

    public string Logs => string.Join("\n", processes.Select(p => $"--- {p.Name} (exited: {p.Process.HasExited})\n" + string.Join("\n", p.Log.TakeLast(30))));

    private void Start()
    {
        string prometheus = Tools.Require("prometheus", Tools.PrometheusHint);
        string alertmanager = Tools.Require("prometheus-alertmanager", Tools.PrometheusHint);
        int promPort = Tools.FreePort(), amPort = Tools.FreePort(), hookPort = Tools.FreePort();
        System.IO.Directory.CreateDirectory(dir);

        // The repository's Prometheus configuration and rules, with the intervals set to the stack's.
        string src = Repo.Path("dashboards", "prometheus");
        string config = File.ReadAllText(Path.Combine(src, "prometheus.yml"));
        Assert.Contains("  scrape_interval: 5s\n", config);
        Assert.Contains("  evaluation_interval: 5s\n", config);
        string seconds = ((int)Interval.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + "s";
        config = config.Replace("  scrape_interval: 5s\n", $"  scrape_interval: {seconds}\n").Replace("  evaluation_interval: 5s\n", $"  evaluation_interval: {seconds}\n");
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), config);
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "rules"));
        foreach (string f in System.IO.Directory.GetFiles(Path.Combine(src, "rules")))
        {
            File.Copy(f, Path.Combine(dir, "rules", Path.GetFileName(f)));
        }

        System.IO.Directory.CreateDirectory(Path.Combine(dir, "targets"));
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "alertmanagers"));
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
    }

    /// <summary>Lists training endpoints for Prometheus to scrape (file service discovery, picked up within seconds).</summary>
    public void AddTargets(string name, IEnumerable<int> ports)
    {
        string path = Path.Combine(dir, "targets", name + ".json");
        File.WriteAllText(path + ".tmp", new JsonArray(new JsonObject
        {
            ["targets"] = new JsonArray(ports.Select(p => (JsonNode)$"127.0.0.1:{p}").ToArray()),
        }).ToJsonString());
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Waits until Prometheus answers.</summary>
    public void WaitUntilReady() => WaitUntil(TimeSpan.FromSeconds(30), "Prometheus ready", () => Get("-/ready") is not null);

    /// <summary>The log lines of a process started with <see cref="Launch"/>.</summary>
    public IReadOnlyCollection<string> LogOf(string name) => processes.Single(p => p.Name == name).Log.ToArray();

    /// <summary>Runs a PromQL range query from the stack's start until now, as a Grafana panel does, and returns its result matrix.</summary>
    public JsonArray QueryRange(string promql, TimeSpan? step = null)
    {
        var end = DateTimeOffset.UtcNow;
        string body = Get("api/v1/query_range?query=" + Uri.EscapeDataString(promql)
            + "&start=" + StartedAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)
            + "&end=" + end.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)
            + "&step=" + ((int)(step ?? Interval).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture))!;
        Assert.NotNull(body);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("success", json["status"]!.GetValue<string>());
        return json["data"]!["result"]!.AsArray();
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
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
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
            System.IO.Directory.Delete(dir, recursive: true);
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

    /// <summary>Starts a process (stopped by its PID with the stack), keeping its last output lines.</summary>
    public void Launch(string name, string file, string[] args)
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
            while (log.Count > 400 && log.TryDequeue(out string? _))
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
