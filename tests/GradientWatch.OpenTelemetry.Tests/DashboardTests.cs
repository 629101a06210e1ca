using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GradientWatch.OpenTelemetry.Tests.Support;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>The Grafana dashboards: provisioning-ready structure, Grafana's published schema, real metric names.</summary>
public sealed partial class DashboardTests
{
    public static TheoryData<string> Dashboards => new(DashboardFiles);

    internal static string[] DashboardFiles => Directory.GetFiles(Repo.Path("dashboards", "grafana", "dashboards"), "*.json").Select(f => Path.GetFileName(f)).Order().ToArray();

    internal static JsonObject Load(string file) => JsonNode.Parse(File.ReadAllText(Repo.Path("dashboards", "grafana", "dashboards", file)))!.AsObject();

    /// <summary>Every PromQL expression of a dashboard: panel targets and annotation queries.</summary>
    internal static IEnumerable<(string Where, string Expr)> Queries(JsonObject d)
    {
        foreach (var panel in d["panels"]!.AsArray())
        {
            foreach (var t in panel!["targets"]!.AsArray())
            {
                yield return ($"panel '{panel["title"]}'", t!["expr"]!.GetValue<string>());
            }
        }

        foreach (var a in d["annotations"]!["list"]!.AsArray())
        {
            if (a!["target"]?["expr"] is { } expr)
            {
                yield return ($"annotation '{a["name"]}'", expr.GetValue<string>());
            }
        }
    }

    [Fact]
    public void There_are_the_overview_layers_and_runs_dashboards()
    {
        Assert.Equal(["gradientwatch-layers", "gradientwatch-overview", "gradientwatch-runs"], DashboardFiles.Select(f => Load(f)["uid"]!.GetValue<string>()).Order());
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_is_provisioning_ready(string file)
    {
        var d = Load(file);
        string text = File.ReadAllText(Repo.Path("dashboards", "grafana", "dashboards", file));
        Assert.Null(d["__inputs"]);
        Assert.DoesNotContain("${DS_", text);
        Assert.Null(d["id"]);
        Assert.Matches("^gradientwatch-[a-z]+$", d["uid"]!.GetValue<string>());

        var vars = d["templating"]!["list"]!.AsArray().Select(v => v!).ToDictionary(v => v["name"]!.GetValue<string>());
        Assert.Equal("datasource", vars["datasource"]["type"]!.GetValue<string>());
        Assert.Equal("prometheus", vars["datasource"]["query"]!.GetValue<string>());
        Assert.Contains("job", vars.Keys);
        Assert.Contains("run", vars.Keys);
        if (file.Contains("layers", StringComparison.Ordinal))
        {
            Assert.Contains("layer", vars.Keys);
        }

        var ids = new HashSet<int>();
        foreach (var panel in d["panels"]!.AsArray().Select(p => p!))
        {
            Assert.True(ids.Add(panel["id"]!.GetValue<int>()), "duplicate panel id");
            Assert.Equal("${datasource}", panel["datasource"]!["uid"]!.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(panel["title"]!.GetValue<string>()));
            Assert.False(string.IsNullOrWhiteSpace(panel["description"]?.GetValue<string>()), $"panel '{panel["title"]}' has no description");
            var targets = panel["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            foreach (var t in targets)
            {
                Assert.Equal("${datasource}", t!["datasource"]!["uid"]!.GetValue<string>());
                string expr = t["expr"]!.GetValue<string>();
                Assert.Contains("job=~\"$job\"", expr);
                Assert.Contains("run_id=~\"$run\"", expr);
            }
        }

        // Issues, remedies and skipped steps are annotations on the norm and loss panels.
        var annotations = d["annotations"]!["list"]!.AsArray().Where(a => a!["target"]?["expr"] is not null).ToDictionary(a => a!["name"]!.GetValue<string>(), a => a!);
        Assert.Equal(["Gradient issues", "Remedies", "Skipped steps"], annotations.Keys.Order());
        Assert.Contains("gradientwatch_issues_total", annotations["Gradient issues"]["target"]!["expr"]!.GetValue<string>());
        Assert.Contains("gradientwatch_remedies_total", annotations["Remedies"]["target"]!["expr"]!.GetValue<string>());
        Assert.Contains("gradientwatch_steps_skipped_total", annotations["Skipped steps"]["target"]!["expr"]!.GetValue<string>());
        var normAndLoss = d["panels"]!.AsArray()
            .Where(p => p!["type"]!.GetValue<string>() == "timeseries"
                && (p["title"]!.GetValue<string>().StartsWith("Loss", StringComparison.Ordinal) || p["title"]!.GetValue<string>().Contains("radient norm", StringComparison.Ordinal)))
            .Select(p => p!["id"]!.GetValue<int>()).Order().ToArray();
        Assert.NotEmpty(normAndLoss);
        foreach (var a in annotations.Values)
        {
            Assert.False(a["filter"]!["exclude"]!.GetValue<bool>());
            Assert.Equal(normAndLoss, a["filter"]!["ids"]!.AsArray().Select(i => i!.GetValue<int>()).Order());
            string expr = a["target"]!["expr"]!.GetValue<string>();
            Assert.Contains(" unless ", expr, StringComparison.Ordinal); // a series' first sample counts: events before the first scrape
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_query_uses_only_metric_names_the_exporter_emits(string file)
    {
        var emitted = Scrape.SeriesNames.ToHashSet();
        foreach (var (where, expr) in Queries(Load(file)))
        {
            var names = MetricName().Matches(expr).Select(m => m.Value).ToList();
            Assert.NotEmpty(names);
            Assert.All(names, n => Assert.True(emitted.Contains(n), $"{file} {where} uses {n}, which the exporter does not emit"));
        }
    }

    [Fact]
    public void Dashboards_type_check_against_grafanas_published_schema()
    {
        string node = Tools.Require("node", "Install Node.js, then run: bash scripts/ensure-dashboard-tools.sh (bash scripts/test.sh does it).");
        string dir = Repo.Path("dashboards", "schema-check");
        Assert.True(
            File.Exists(Path.Combine(dir, "node_modules", "@grafana", "schema", "package.json")),
            "The dashboard schema checker is not installed. Run: bash scripts/ensure-dashboard-tools.sh (bash scripts/test.sh does it).");
        var (code, output) = Tools.Run(node, ["check.mjs"], dir, timeoutSeconds: 120);
        Assert.True(code == 0, output);
        Assert.Contains("dashboard schema check passed", output);
    }

    [Fact]
    public void Provisioning_points_grafana_at_the_dashboards_folder_compose_mounts()
    {
        string compose = File.ReadAllText(Repo.Path("dashboards", "docker-compose.yml"));
        string provider = File.ReadAllText(Repo.Path("dashboards", "grafana", "provisioning", "dashboards", "gradientwatch.yml"));
        Assert.Contains("./grafana/dashboards:/var/lib/grafana/dashboards/gradientwatch", compose);
        Assert.Contains("path: /var/lib/grafana/dashboards/gradientwatch", provider);
        Assert.Contains("./grafana/provisioning:/etc/grafana/provisioning", compose);
        Assert.Contains("./prometheus:/etc/prometheus", compose);
        Assert.Contains("./alertmanager:/etc/alertmanager", compose);
        Assert.Contains("type: prometheus", File.ReadAllText(Repo.Path("dashboards", "grafana", "provisioning", "datasources", "prometheus.yml")));
    }

    [Fact]
    public void The_docker_desktop_variant_scrapes_host_docker_internal_with_the_same_rules_and_dashboards()
    {
        string compose = File.ReadAllText(Repo.Path("dashboards", "docker-compose.desktop.yml"));
        Assert.DoesNotMatch(@"(?m)^\s+network_mode: host", compose);
        foreach (string port in new[] { "9090", "9093", "3000" })
        {
            Assert.Contains($"\"127.0.0.1:{port}:{port}\"", compose); // published on the host's loopback only
        }

        // The same configuration as docker-compose.yml, with only targets, Alertmanager address and datasource replaced.
        Assert.Contains("./prometheus:/etc/prometheus:ro", compose);
        Assert.Contains("./desktop/targets:/etc/prometheus/targets:ro", compose);
        Assert.Contains("./desktop/alertmanagers:/etc/prometheus/alertmanagers:ro", compose);
        Assert.Contains("./grafana/dashboards:/var/lib/grafana/dashboards/gradientwatch", compose);
        Assert.Contains("./desktop/datasources:/etc/grafana/provisioning/datasources:ro", compose);
        var targets = JsonNode.Parse(File.ReadAllText(Repo.Path("dashboards", "desktop", "targets", "gradientwatch.json")))!.AsArray();
        Assert.Equal("host.docker.internal:9464", targets.Single()!["targets"]!.AsArray().Single()!.GetValue<string>());
        var am = JsonNode.Parse(File.ReadAllText(Repo.Path("dashboards", "desktop", "alertmanagers", "alertmanager.json")))!.AsArray();
        Assert.Equal("alertmanager:9093", am.Single()!["targets"]!.AsArray().Single()!.GetValue<string>());
        Assert.Contains("url: http://prometheus:9090", File.ReadAllText(Repo.Path("dashboards", "desktop", "datasources", "prometheus.yml")));

        // Prometheus accepts the variant's effective configuration.
        string dir = Path.Combine(Path.GetTempPath(), "gw-desktop-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "rules"));
            File.Copy(Repo.Path("dashboards", "prometheus", "prometheus.yml"), Path.Combine(dir, "prometheus.yml"));
            File.Copy(Repo.Path("dashboards", "prometheus", "rules", "gradientwatch.rules.yml"), Path.Combine(dir, "rules", "gradientwatch.rules.yml"));
            var (code, output) = Tools.Run(Tools.Promtool, ["check", "config", "prometheus.yml"], dir);
            Assert.True(code == 0, output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Victoriametrics_compose_variant_runs_the_configuration_the_live_tests_run()
    {
        string compose = File.ReadAllText(Repo.Path("dashboards", "docker-compose.victoriametrics.yml"));
        // Prometheus scrapes and remote-writes with the file VictoriaMetricsStack runs; vmalert gets the same flags.
        Assert.Contains("--config.file=/etc/prometheus/prometheus-remote-write.yml", compose);
        Assert.Contains("./prometheus:/etc/prometheus", compose);
        Assert.Contains("-httpListenAddr=127.0.0.1:8428", compose);
        foreach (string flag in new[] { "-rule=/etc/prometheus/rules/*.yml", "-datasource.url=http://127.0.0.1:8428", "-remoteWrite.url=http://127.0.0.1:8428", "-remoteRead.url=http://127.0.0.1:8428", "-notifier.url=http://127.0.0.1:9093" })
        {
            Assert.Contains(flag, compose);
        }

        // Grafana reads VictoriaMetrics through a Prometheus datasource, with the same dashboards.
        Assert.Contains("./grafana/provisioning-victoriametrics/datasources:/etc/grafana/provisioning/datasources", compose);
        Assert.Contains("./grafana/dashboards:/var/lib/grafana/dashboards/gradientwatch", compose);
        string datasource = File.ReadAllText(Repo.Path("dashboards", "grafana", "provisioning-victoriametrics", "datasources", "victoriametrics.yml"));
        Assert.Contains("type: prometheus", datasource);
        Assert.Contains("url: http://127.0.0.1:8428", datasource);
    }

    [GeneratedRegex(@"\bgradientwatch_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
