using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace GradientWatch.LoadTest;

/// <summary>
/// One round: N replayed endpoints, scraped by Prometheus (the repository's remote-write configuration), stored in
/// VictoriaMetrics, with vmalert evaluating the repository's rules against it. Measures a steady-state window,
/// then runs every dashboard query against VictoriaMetrics. Every process it starts is stopped by its PID.
/// </summary>
internal sealed class LoadRound(LoadTestOptions options, ExportTemplate template, string repoRoot)
{
    private const int PrometheusSeriesPerTarget = 5;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public ScaleResult Run(int processes)
    {
        string dir = Path.Combine(Path.GetTempPath(), "gradientwatch-loadtest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "targets"));
        var started = new List<BackendProcess>();
        try
        {
            return Measure(processes, dir, started);
        }
        finally
        {
            foreach (var p in started)
            {
                p.Dispose();
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
    }

    private ScaleResult Measure(int processes, string dir, List<BackendProcess> started)
    {
        using var endpoints = new ReplayEndpoints(template, processes);
        int vmPort = Tools.FreePort(), promPort = Tools.FreePort(), vmalertPort = Tools.FreePort(), deadPort = Tools.FreePort();
        string interval = options.ScrapeIntervalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
        string vm = $"http://127.0.0.1:{vmPort}";

        // The repository's remote-write configuration, with this round's interval and VictoriaMetrics.
        string config = File.ReadAllText(Path.Combine(repoRoot, "dashboards", "prometheus", "prometheus-remote-write.yml"))
            .Replace("  scrape_interval: 5s\n", $"  scrape_interval: {interval}\n", StringComparison.Ordinal)
            .Replace("url: http://127.0.0.1:8428/api/v1/write", $"url: {vm}/api/v1/write", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), config);
        File.WriteAllText(Path.Combine(dir, "targets", "load.json"), new JsonArray(new JsonObject
        {
            ["targets"] = new JsonArray(endpoints.Ports.Select(p => (JsonNode)$"127.0.0.1:{p}").ToArray()),
        }).ToJsonString());

        var victoria = Start(started, "victoria-metrics", "victoria-metrics", dir,
            $"-httpListenAddr=127.0.0.1:{vmPort}", $"-storageDataPath={Path.Combine(dir, "vm")}", "-retentionPeriod=1d", "-search.latencyOffset=1s");
        Wait(TimeSpan.FromSeconds(30), "VictoriaMetrics ready", started, () => Get($"{vm}/health") is not null);
        var prometheus = Start(started, "prometheus", "prometheus", dir,
            $"--config.file={Path.Combine(dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir, "prom")}", $"--web.listen-address=127.0.0.1:{promPort}");
        // No Alertmanager here: alerts go to a closed port (vmalert logs that); evaluation is what costs.
        var vmalert = Start(started, "vmalert", "vmalert", dir,
            $"-rule={Path.Combine(repoRoot, "dashboards", "prometheus", "rules", "*.yml")}", $"-datasource.url={vm}", $"-remoteWrite.url={vm}",
            $"-notifier.url=http://127.0.0.1:{deadPort}", $"-httpListenAddr=127.0.0.1:{vmalertPort}", $"-evaluationInterval={interval}");

        int perProcess = template.Series + PrometheusSeriesPerTarget;
        int expected = processes * perProcess;
        const string raw = "{job=\"gradientwatch\", __name__!~\".*:.*|ALERTS|ALERTS_FOR_STATE\"}";
        Console.WriteLine($"  {processes} processes: waiting for {expected:N0} series in VictoriaMetrics...");
        // Until every series arrived, or (on a loaded machine) the count stopped growing for 4 scrape intervals.
        double last = -1;
        var stable = Stopwatch.StartNew();
        Wait(TimeSpan.FromSeconds(180), $"{expected} series in VictoriaMetrics", started, () =>
        {
            double count = Scalar($"{vm}/api/v1/query?query=" + Uri.EscapeDataString($"count({raw})"));
            if (count != last)
            {
                last = count;
                stable.Restart();
            }

            return count >= expected || (count > 0 && stable.Elapsed.TotalSeconds > 4 * options.ScrapeIntervalSeconds);
        });
        if (last < expected)
        {
            Console.WriteLine($"  warning: only {last:N0} of {expected:N0} series arrived; measuring what did.");
        }


        Thread.Sleep(TimeSpan.FromSeconds(2 * options.ScrapeIntervalSeconds));

        // Steady-state window.
        var self = Process.GetCurrentProcess();
        double[] cpu0 = [prometheus.CpuSeconds(), victoria.CpuSeconds(), vmalert.CpuSeconds(), self.TotalProcessorTime.TotalSeconds];
        double rows0 = MetricSum($"{vm}/metrics", "vm_rows_inserted_total{type=\"promremotewrite\"}");
        long scrapes0 = endpoints.Scrapes, bytes0 = endpoints.Bytes;
        var window = Stopwatch.StartNew();
        Console.WriteLine($"  {processes} processes: measuring {options.Seconds} s...");
        Wait(TimeSpan.FromSeconds(options.Seconds + 5), "the window", started, () => window.Elapsed.TotalSeconds >= options.Seconds);
        double seconds = window.Elapsed.TotalSeconds;
        self.Refresh();
        double[] cpu1 = [prometheus.CpuSeconds(), victoria.CpuSeconds(), vmalert.CpuSeconds(), self.TotalProcessorTime.TotalSeconds];
        double rows1 = MetricSum($"{vm}/metrics", "vm_rows_inserted_total{type=\"promremotewrite\"}");
        long scrapes = endpoints.Scrapes - scrapes0, bytes = endpoints.Bytes - bytes0;

        string prom = $"http://127.0.0.1:{promPort}";
        double scrapeAvg = Scalar($"{prom}/api/v1/query?query=" + Uri.EscapeDataString("avg(avg_over_time(scrape_duration_seconds{job=\"gradientwatch\"}[1m]))")) * 1000;
        double scrapeMax = Scalar($"{prom}/api/v1/query?query=" + Uri.EscapeDataString("max(max_over_time(scrape_duration_seconds{job=\"gradientwatch\"}[1m]))")) * 1000;
        double lag = MetricSum($"{prom}/metrics", "prometheus_remote_storage_highest_timestamp_in_seconds")
            - MetricSum($"{prom}/metrics", "prometheus_remote_storage_queue_highest_sent_timestamp_seconds");
        int targetsUp = (int)Scalar($"{prom}/api/v1/query?query=" + Uri.EscapeDataString("count(up{job=\"gradientwatch\"} == 1)"));
        int inBackend = (int)Scalar($"{vm}/api/v1/query?query=" + Uri.EscapeDataString($"count({raw})"));
        int recorded = (int)Scalar($"{vm}/api/v1/query?query=" + Uri.EscapeDataString("count({__name__=~\"(run|model|model_layer):gradientwatch_.*\"})"));
        double disk = MetricSum($"{vm}/metrics", "vm_data_size_bytes");
        double promRss = prometheus.RssMiB(), vmRss = victoria.RssMiB();

        Console.WriteLine($"  {processes} processes: running the dashboards' queries against VictoriaMetrics...");
        var queries = DashboardQueries(vm, seconds);
        return new ScaleResult
        {
            Processes = processes,
            SeriesPerProcess = perProcess,
            SeriesInBackend = inBackend,
            TargetsUp = targetsUp,
            RecordedSeries = recorded,
            WindowSeconds = seconds,
            SamplesPerSecond = (rows1 - rows0) / seconds,
            ScrapeBytesPerProcess = scrapes == 0 ? 0 : (double)bytes / scrapes,
            PrometheusCores = (cpu1[0] - cpu0[0]) / seconds,
            PrometheusRssMiB = promRss,
            VictoriaMetricsCores = (cpu1[1] - cpu0[1]) / seconds,
            VictoriaMetricsRssMiB = vmRss,
            VmalertCores = (cpu1[2] - cpu0[2]) / seconds,
            ReplayCores = (cpu1[3] - cpu0[3]) / seconds,
            ScrapeDurationAvgMs = scrapeAvg,
            ScrapeDurationMaxMs = scrapeMax,
            RemoteWriteLagSeconds = Math.Max(0, lag),
            DiskBytes = disk,
            Queries = queries,
        };
    }

    /// <summary>Every panel query of every dashboard, as a Grafana range query over the window, for all runs and for one.</summary>
    private List<QueryTiming> DashboardQueries(string vm, double windowSeconds)
    {
        var result = new List<QueryTiming>();
        // Grafana's step for a short range: about the scrape interval; 15 s once the window is a minute or more.
        double step = Math.Max(options.ScrapeIntervalSeconds, Math.Min(15, Math.Floor(windowSeconds / 4)));
        double end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        double start = end - Math.Min(300, Math.Max(windowSeconds, 4 * step));
        string range = ((int)(end - start)).ToString(CultureInfo.InvariantCulture) + "s";
        foreach (string file in Directory.GetFiles(Path.Combine(repoRoot, "dashboards", "grafana", "dashboards"), "*.json").Order())
        {
            var d = JsonNode.Parse(File.ReadAllText(file))!;
            foreach (var panel in d["panels"]!.AsArray())
            {
                foreach (var target in panel!["targets"]!.AsArray())
                {
                    foreach (bool all in new[] { true, false })
                    {
                        string q = target!["expr"]!.GetValue<string>()
                            .Replace("$__rate_interval", (4 * step).ToString(CultureInfo.InvariantCulture) + "s", StringComparison.Ordinal)
                            .Replace("$__interval", step.ToString(CultureInfo.InvariantCulture) + "s", StringComparison.Ordinal)
                            .Replace("$__range", range, StringComparison.Ordinal)
                            .Replace("$job", "gradientwatch", StringComparison.Ordinal)
                            .Replace("$run", all ? ".*" : "sim-0000", StringComparison.Ordinal)
                            .Replace("$layer", ".*", StringComparison.Ordinal);
                        string url = string.Create(CultureInfo.InvariantCulture, $"{vm}/api/v1/query_range?nocache=1&start={start:F3}&end={end:F3}&step={step}&query={Uri.EscapeDataString(q)}");
                        var times = new List<double>();
                        int series = 0;
                        for (int rep = 0; rep < 3; rep++)
                        {
                            var sw = Stopwatch.StartNew();
                            string? body = Get(url);
                            times.Add(sw.Elapsed.TotalMilliseconds);
                            series = body is null ? -1 : JsonNode.Parse(body)!["data"]!["result"]!.AsArray().Count;
                        }

                        times.Sort();
                        result.Add(new QueryTiming(Path.GetFileNameWithoutExtension(file), $"{panel["title"]} {target["refId"]}", all, times[1], series));
                    }
                }
            }
        }

        return result;
    }

    private static BackendProcess Start(List<BackendProcess> started, string name, string binary, string dir, params string[] args)
    {
        var p = new BackendProcess(name, Tools.Require(binary), args, dir);
        started.Add(p);
        return p;
    }

    private static void Wait(TimeSpan timeout, string what, List<BackendProcess> started, Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (started.FirstOrDefault(p => p.HasExited) is { } gone)
            {
                throw new InvalidOperationException($"{gone.Name} exited while waiting for {what}.");
            }

            if (sw.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            }

            Thread.Sleep(250);
        }
    }

    private string? Get(string url)
    {
        try
        {
            using var response = http.GetAsync(new Uri(url)).GetAwaiter().GetResult();
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

    /// <summary>The first value of an instant query, 0 when it has none.</summary>
    private double Scalar(string url)
    {
        string? body = Get(url);
        var result = body is null ? null : JsonNode.Parse(body)!["data"]?["result"]?.AsArray();
        return result is { Count: > 0 } ? double.Parse(result[0]!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Sum of the samples of one metric (optionally with labels, as a prefix) in a /metrics page.</summary>
    private double MetricSum(string url, string prefix)
    {
        string? body = Get(url);
        if (body is null)
        {
            return 0;
        }

        string name = prefix.Contains('{', StringComparison.Ordinal) ? prefix[..prefix.IndexOf('{', StringComparison.Ordinal)] : prefix;
        return body.Split('\n')
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && (l.Length > name.Length && (l[name.Length] is ' ' or '{')))
            .Sum(l => double.TryParse(l[(l.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : 0);
    }
}
