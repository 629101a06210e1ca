using System.Globalization;
using System.Text.Json.Nodes;
using GradientWatch.OpenTelemetry.Tests.Support;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>
/// Many runs, one scalable backend, for real: Prometheus scrapes four training processes and remote-writes them to
/// VictoriaMetrics; every dashboard query runs against VictoriaMetrics' query API and returns data; vmalert
/// evaluates the same alert and recording rules against it and pages through Alertmanager; the Runs dashboard
/// tells each run's status.
/// </summary>
[Collection(LiveStacks.Name)]
public sealed class VictoriaMetricsTests(VictoriaMetricsStack stack) : IClassFixture<VictoriaMetricsStack>
{
    private static readonly string[] Running = [VictoriaMetricsStack.RunHealthy, VictoriaMetricsStack.RunExploding];

    private PromApi Vm => stack.VictoriaMetrics;

    [Fact]
    public void Prometheus_remote_writes_every_run_into_victoriametrics()
    {
        stack.WaitUntil(TimeSpan.FromSeconds(60), "every run in VictoriaMetrics", () =>
            RunIds(Vm.Query("count by (run_id) (last_over_time(gradientwatch_steps_total{job=\"gradientwatch\"}[10m]))")).SetEquals(VictoriaMetricsStack.AllRuns));

        // One process per run, each its own instance; Prometheus' own `up` series arrive too.
        var instances = Vm.Query("count by (run_id, instance) (last_over_time(gradientwatch_steps_total{job=\"gradientwatch\"}[10m]))");
        Assert.Equal(4, instances.Select(s => s!["metric"]!["instance"]!.GetValue<string>()).Distinct().Count());
        Assert.NotEmpty(Vm.Query("up{job=\"gradientwatch\"} == 1"));
    }

    [Fact]
    public void Every_dashboard_query_returns_data_from_victoriametrics()
    {
        WaitForData();
        Assert.Contains("gradientwatch", Vm.LabelValues("job", "gradientwatch_steps_total"));
        Assert.Superset(Running.ToHashSet(), Vm.LabelValues("run_id", "gradientwatch_steps_total{job=~\"gradientwatch\"}").ToHashSet());
        Assert.Contains("fc0", Vm.LabelValues("layer", $"gradientwatch_layer_gradient_norm{{job=~\"gradientwatch\", run_id=~\"{VictoriaMetricsStack.RunHealthy}\"}}"));

        foreach (string file in DashboardTests.DashboardFiles)
        {
            foreach (var (where, expr) in DashboardTests.Queries(DashboardTests.Load(file)))
            {
                if (where.StartsWith("annotation", StringComparison.Ordinal))
                {
                    // The issue annotation marks the exploding run's issues, and none of the healthy run.
                    if (where.Contains("Gradient issues", StringComparison.Ordinal))
                    {
                        string marked = LiveTests.Substitute(expr, VictoriaMetricsStack.RunExploding);
                        stack.WaitUntil(TimeSpan.FromSeconds(30), $"{file} {where} to return data: {marked}", () => Vm.Query(marked).Count > 0);
                        Assert.Empty(Vm.Query(LiveTests.Substitute(expr, VictoriaMetricsStack.RunHealthy)));
                    }

                    continue;
                }

                foreach (string run in Running)
                {
                    string query = LiveTests.Substitute(expr, run);
                    JsonArray result = [];
                    stack.WaitUntil(TimeSpan.FromSeconds(30), $"{file} {where} to return data from VictoriaMetrics: {query}", () => (result = Vm.Query(query)).Count > 0);
                    Assert.All(result, s => Assert.Equal(run, s!["metric"]!["run_id"]?.GetValue<string>() ?? run));
                }
            }
        }
    }

    [Fact]
    public void Runs_dashboard_tells_healthy_issues_halted_and_finished_runs_apart()
    {
        var runs = DashboardTests.Load("gradientwatch-runs.json")["panels"]!.AsArray().Single(p => p!["title"]!.GetValue<string>() == "Runs")!;
        string Expr(string refId) => LiveTests.Substitute(
            runs["targets"]!.AsArray().Single(t => t!["refId"]!.GetValue<string>() == refId)!["expr"]!.GetValue<string>().Replace("$__range", "10m", StringComparison.Ordinal), ".*");
        var codes = runs["fieldConfig"]!["overrides"]!.AsArray().Single(o => o!["matcher"]!["options"]!.GetValue<string>() == "Status")!
            ["properties"]![0]!["value"]![0]!["options"]!.AsObject().ToDictionary(kv => kv.Value!["text"]!.GetValue<string>(), kv => kv.Key);

        var expected = new Dictionary<string, string>
        {
            [VictoriaMetricsStack.RunHealthy] = codes["healthy"],
            [VictoriaMetricsStack.RunExploding] = codes["issues"],
            [VictoriaMetricsStack.RunHalted] = codes["halted"],
            [VictoriaMetricsStack.RunFinished] = codes["finished"],
        };
        Dictionary<string, string> status = [];
        stack.WaitUntil(TimeSpan.FromSeconds(90), "every run's status", () =>
        {
            status = Values(Vm.Query(Expr("A")));
            return expected.All(kv => status.GetValueOrDefault(kv.Key) == kv.Value);
        });

        // First issue at step: none (-1) for the healthy run; the halted run had its issues within its 20 steps.
        // (The step count of the first scrape that saw an issue: 0 when that scrape caught the first step mid-way.)
        // The subquery behind it samples on interval boundaries, so it can lag the status by one interval: wait for the
        // runs with issues to show a first step, then check every run.
        Dictionary<string, string> first = [];
        stack.WaitUntil(TimeSpan.FromSeconds(60), "the first-issue step of the runs with issues", () =>
        {
            first = Values(Vm.Query(Expr("D")));
            return first.GetValueOrDefault(VictoriaMetricsStack.RunHalted, "-1") != "-1" && first.GetValueOrDefault(VictoriaMetricsStack.RunExploding, "-1") != "-1";
        });
        Assert.Equal("-1", first[VictoriaMetricsStack.RunHealthy]);
        Assert.InRange(double.Parse(first[VictoriaMetricsStack.RunHalted], CultureInfo.InvariantCulture), 0, 20);
        double explodingFirst = double.Parse(first[VictoriaMetricsStack.RunExploding], CultureInfo.InvariantCulture);
        Assert.True(explodingFirst >= 0, "first issue per run: " + string.Join(", ", first.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal("20", Values(Vm.Query(Expr("B")))[VictoriaMetricsStack.RunHalted]);
    }

    [Fact]
    public void Vmalert_evaluates_the_alert_rules_against_victoriametrics_and_pages_through_alertmanager()
    {
        stack.WaitUntil(TimeSpan.FromSeconds(Math.Max(10, 120 - stack.Started.Elapsed.TotalSeconds)), "ExplodingGradient from vmalert to reach the webhook",
            () => stack.Alerts.Any(a => WebhookReceiver.Label(a, "alertname") == "ExplodingGradient" && WebhookReceiver.Label(a, "run_id") == VictoriaMetricsStack.RunExploding
                && a["status"]!.GetValue<string>() == "firing"));

        var alert = stack.Alerts.First(a => WebhookReceiver.Label(a, "alertname") == "ExplodingGradient" && WebhookReceiver.Label(a, "run_id") == VictoriaMetricsStack.RunExploding);
        Assert.Equal("deep-mlp", WebhookReceiver.Label(alert, "model"));
        Assert.Contains("docs/runbook.md#explodinggradient", alert["annotations"]!["runbook_url"]!.GetValue<string>());
        Assert.Contains(VictoriaMetricsStack.RunExploding, alert["annotations"]!["summary"]!.GetValue<string>());

        // vmalert keeps alert state in VictoriaMetrics (ALERTS series), and nothing critical fires for the healthy run.
        // (A warning is possible: it reports exploding-gradient events the detector raised, false alarms included.)
        stack.WaitUntil(TimeSpan.FromSeconds(20), "ALERTS in VictoriaMetrics",
            () => Vm.Query($"ALERTS{{alertname=\"ExplodingGradient\", alertstate=\"firing\", run_id=\"{VictoriaMetricsStack.RunExploding}\"}}").Count > 0);
        Assert.DoesNotContain(stack.Alerts, a => WebhookReceiver.Label(a, "run_id") == VictoriaMetricsStack.RunHealthy && WebhookReceiver.Label(a, "severity") == "critical");
        Assert.DoesNotContain(stack.VmalertAlerts(), a => a!["labels"]!["run_id"]?.GetValue<string>() == VictoriaMetricsStack.RunHealthy && a["labels"]!["severity"]?.GetValue<string>() == "critical");
        Assert.Empty(Vm.Query($"ALERTS{{run_id=\"{VictoriaMetricsStack.RunHealthy}\", severity=\"critical\"}}"));
    }

    [Fact]
    public void Vmalert_records_per_run_and_per_layer_aggregates_into_victoriametrics()
    {
        WaitForData();
        string run = VictoriaMetricsStack.RunExploding;
        stack.WaitUntil(TimeSpan.FromSeconds(30), "recording rules in VictoriaMetrics", () =>
            Vm.Query("model_layer:gradientwatch_layer_gradient_norm:median{job=\"gradientwatch\"}").Count >= 12
            && Vm.Query($"run:gradientwatch_layer_gradient_norm:max{{run_id=\"{run}\"}}").Count == 1);

        // Runs x layers raw series fold into one series per run, and one per model and layer across runs.
        Assert.Equal(8, Vm.Query($"gradientwatch_layer_gradient_norm{{job=\"gradientwatch\", run_id=\"{run}\", layer!=\"_other\"}}").Count);
        Assert.Single(Vm.Query($"run:gradientwatch_layer_gradient_norm:min{{run_id=\"{run}\"}}"));
        Assert.Equal(8, Vm.Query("model_layer:gradientwatch_layer_gradient_norm:median{job=\"gradientwatch\", model=\"deep-mlp\"}").Count);
        Assert.Equal(4, Vm.Query($"model_layer:gradientwatch_layer_gradient_norm:max{{job=\"gradientwatch\", model=\"{VictoriaMetricsStack.HealthyModel}\"}}").Count);
        var max = double.Parse(Vm.Query($"run:gradientwatch_layer_gradient_norm:max{{run_id=\"{run}\"}}")[0]!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.True(max > 0);
        stack.WaitUntil(TimeSpan.FromSeconds(20), "run count per model", () =>
            Vm.Query("model:gradientwatch_runs:count{job=\"gradientwatch\", model=\"deep-mlp\"} == 2").Count == 1);
    }

    private static HashSet<string> RunIds(JsonArray result) => result.Select(s => s!["metric"]!["run_id"]!.GetValue<string>()).ToHashSet();

    private static Dictionary<string, string> Values(JsonArray result) =>
        result.ToDictionary(s => s!["metric"]!["run_id"]!.GetValue<string>(), s => s!["value"]![1]!.GetValue<string>());

    /// <summary>Waits until the running runs have been in VictoriaMetrics long enough that rate() windows hold data.</summary>
    private void WaitForData() => stack.WaitUntil(TimeSpan.FromSeconds(60), "running runs scraped for 12 s", () =>
        RunIds(Vm.Query("count_over_time(gradientwatch_steps_total{job=\"gradientwatch\"}[30s]) >= 12")).IsSupersetOf(Running));
}
