using System.Text.Json.Nodes;
using GradientWatch.OpenTelemetry.Tests.Support;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>
/// End to end, for real: Prometheus scrapes three GradientWatch training processes, every dashboard query
/// returns data, runs stay separable, and an exploding run pages through Alertmanager to a webhook.
/// </summary>
[Collection(LiveStacks.Name)]
public sealed class LiveTests(LiveStack stack) : IClassFixture<LiveStack>
{
    private static readonly string[] AllRuns = [LiveStack.RunA, LiveStack.RunB, LiveStack.RunExploding];

    [Fact]
    public void Prometheus_scrapes_every_training_run()
    {
        WaitForData();
        var up = stack.Query("up{job=\"gradientwatch\"}");
        Assert.Equal(3, up.Count);
        Assert.All(up, s => Assert.Equal("1", s!["value"]![1]!.GetValue<string>()));
    }

    [Fact]
    public void Every_dashboard_query_returns_data_for_a_real_run()
    {
        WaitForData();
        foreach (string file in DashboardTests.DashboardFiles)
        {
            var d = DashboardTests.Load(file);

            // Template variables, as Grafana resolves them.
            Assert.Contains("gradientwatch", stack.LabelValues("job", "gradientwatch_steps_total"));
            Assert.Superset(AllRuns.ToHashSet(), stack.LabelValues("run_id", "gradientwatch_steps_total{job=~\"gradientwatch\"}").ToHashSet());
            Assert.Contains("fc0", stack.LabelValues("layer", $"gradientwatch_layer_gradient_norm{{job=~\"gradientwatch\", run_id=~\"{LiveStack.RunA}\"}}"));

            foreach (var (where, expr) in DashboardTests.Queries(d))
            {
                // Issue annotations mark issues: the exploding run has them, a healthy run must not. (Remedy and
                // skipped-step annotations are checked on the demo's watch run, which has both.)
                if (where.StartsWith("annotation", StringComparison.Ordinal) && !where.Contains("Gradient issues", StringComparison.Ordinal))
                {
                    stack.Query(Substitute(expr, LiveStack.RunExploding));
                    continue;
                }

                bool annotation = where.StartsWith("annotation", StringComparison.Ordinal);
                string run = annotation ? LiveStack.RunExploding : LiveStack.RunA;
                string query = Substitute(expr, run);
                stack.WaitUntil(TimeSpan.FromSeconds(30), $"{file} {where} to return data: {query}", () => stack.Query(query).Count > 0);
                if (!annotation)
                {
                    string exploding = Substitute(expr, LiveStack.RunExploding);
                    stack.WaitUntil(TimeSpan.FromSeconds(30), $"{file} {where} to return data: {exploding}", () => stack.Query(exploding).Count > 0);
                }
                else
                {
                    Assert.Empty(stack.Query(Substitute(expr, LiveStack.RunA)));
                }
            }
        }
    }

    [Fact]
    public void Two_runs_scraped_together_are_separable_in_every_dashboard_query()
    {
        WaitForData();
        foreach (string file in DashboardTests.DashboardFiles)
        {
            foreach (var (where, expr) in DashboardTests.Queries(DashboardTests.Load(file)))
            {
                if (where.StartsWith("annotation", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (string run in new[] { LiveStack.RunA, LiveStack.RunB })
                {
                    string query = Substitute(expr, run);
                    JsonArray result = [];
                    stack.WaitUntil(TimeSpan.FromSeconds(30), $"{file} {where} for {run}", () => (result = stack.Query(query)).Count > 0);
                    foreach (var series in result)
                    {
                        if (series!["metric"]!["run_id"] is { } label)
                        {
                            Assert.Equal(run, label.GetValue<string>());
                        }
                    }
                }
            }
        }

        // Different processes, different instances; each run is one instance.
        var instances = stack.Query("count by (run_id, instance) (gradientwatch_steps_total{job=\"gradientwatch\"})");
        Assert.Equal(3, instances.Select(s => s!["metric"]!["instance"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public void An_exploding_run_pages_through_alertmanager_and_healthy_runs_never_page_critical()
    {
        // Bounded: the rule's `for: 20s`, Alertmanager's group_wait 5s, plus start-up.
        stack.WaitUntil(TimeSpan.FromSeconds(Math.Max(10, 90 - stack.Started.Elapsed.TotalSeconds)), "ExplodingGradient to reach the webhook",
            () => Alerts().Any(a => Label(a, "alertname") == "ExplodingGradient" && Label(a, "run_id") == LiveStack.RunExploding && a["status"]!.GetValue<string>() == "firing"));

        var alert = Alerts().First(a => Label(a, "alertname") == "ExplodingGradient" && Label(a, "run_id") == LiveStack.RunExploding);
        Assert.Contains(Label(alert, "severity"), new[] { "warning", "critical" });
        Assert.Equal("deep-mlp", Label(alert, "model"));
        Assert.Contains("docs/runbook.md#explodinggradient", alert["annotations"]!["runbook_url"]!.GetValue<string>());
        Assert.Contains(LiveStack.RunExploding, alert["annotations"]!["summary"]!.GetValue<string>());

        // Healthy runs never page critical. (A warning is possible: it reports the exploding-gradient events the
        // detector raised, and its false alarms on healthy runs are the detector's business, not the rules'.)
        Assert.DoesNotContain(Alerts(), a => Label(a, "run_id") is LiveStack.RunA or LiveStack.RunB && Label(a, "severity") == "critical");
        var healthyAlerts = stack.Query($"ALERTS{{run_id=~\"{LiveStack.RunA}|{LiveStack.RunB}\", alertstate=\"firing\", severity=\"critical\"}}");
        Assert.True(healthyAlerts.Count == 0, "healthy runs paged critical: " + healthyAlerts.ToJsonString() + "\n" + stack.Query("gradientwatch_issues_total > 0").ToJsonString());
    }

    /// <summary>Resolves a dashboard query's variables the way Grafana does for one run.</summary>
    internal static string Substitute(string expr, string run, string rateInterval = "10s", string interval = "5s")
    {
        string q = expr
            .Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
            .Replace("$__interval", interval, StringComparison.Ordinal)
            .Replace("$__range", "1m", StringComparison.Ordinal)
            .Replace("$job", "gradientwatch", StringComparison.Ordinal)
            .Replace("$run", run, StringComparison.Ordinal)
            .Replace("$layer", ".*", StringComparison.Ordinal);
        Assert.DoesNotContain("$", q);
        return q;
    }

    private static string? Label(JsonNode alert, string name) => WebhookReceiver.Label(alert, name);

    private IEnumerable<JsonNode> Alerts() => stack.Alerts;

    /// <summary>Waits until every run has been scraped for long enough that rate() windows hold data.</summary>
    private void WaitForData() => stack.WaitUntil(TimeSpan.FromSeconds(60), "every run scraped for 12 s", () =>
    {
        var r = stack.Query("count_over_time(gradientwatch_steps_total{job=\"gradientwatch\"}[30s]) >= 12");
        return AllRuns.All(run => r.Any(s => s!["metric"]!["run_id"]!.GetValue<string>() == run));
    });
}
