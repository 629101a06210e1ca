using System.Globalization;
using System.Text.Json.Nodes;
using GradientWatch.OpenTelemetry.Tests.Support;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>
/// The demo against the bundled Prometheus configuration (5 s scrape), rules, dashboards and Alertmanager, for real:
/// the watch scenario's dashboards show data while it trains, and the exploding scenario, whose events all come
/// before its first scrape, still shows in the dashboards' issue queries and pages through Alertmanager.
/// </summary>
[Collection(LiveStacks.Name)]
public sealed class DemoLiveTests(DemoStack stack) : IClassFixture<DemoStack>
{
    [Fact]
    public void Every_dashboard_query_returns_data_while_the_watch_run_is_still_training()
    {
        // The run variable, as Grafana resolves it.
        stack.WaitUntil(TimeSpan.FromSeconds(60), "the watch run in the dashboards' run variable",
            () => stack.LabelValues("run_id", "gradientwatch_steps_total{job=~\"gradientwatch\"}").Contains(DemoStack.Watch));

        // When each query first had data (Prometheus time, from range queries as Grafana runs them), whenever this test
        // runs: "during the run" is then checked against the time the run's last step was scraped, not against the clock.
        var firstData = new List<(string What, double Time)>();
        void Await(string what, string query, Func<JsonNode, bool>? series = null) => stack.WaitUntil(TimeSpan.FromSeconds(90), $"{what}: {query}", () =>
        {
            var times = stack.QueryRange(query).Where(s => series is null || series(s!)).Select(s => s!["values"]!.AsArray())
                .Where(v => v.Count > 0).Select(v => v[0]![0]!.GetValue<double>()).ToArray();
            if (times.Length == 0)
            {
                return false;
            }

            firstData.Add((what, times.Min()));
            return true;
        });

        foreach (string file in DashboardTests.DashboardFiles)
        {
            foreach (var (where, expr) in DashboardTests.Queries(DashboardTests.Load(file)))
            {
                // Grafana's $__rate_interval with a 5 s scrape interval is 4 x 5 s.
                Await($"{file} {where}", LiveTests.Substitute(expr, DemoStack.Watch, rateInterval: "20s", interval: "5s"));
            }
        }

        // The story: the issue annotations mark the exploding phase and the NaN steps.
        string issues = LiveTests.Substitute(
            DashboardTests.Queries(DashboardTests.Load("gradientwatch-overview.json")).Single(q => q.Where.Contains("Gradient issues", StringComparison.Ordinal)).Expr,
            DemoStack.Watch, rateInterval: "20s");
        foreach (string kind in new[] { "exploding", "non_finite" })
        {
            Await($"{kind} issue annotation", issues, s => s["metric"]!["kind"]!.GetValue<string>() == kind);
        }

        // The README's recipe: the exploding phase and the NaN steps raise their alerts, at warning (remedies absorbed them).
        foreach (string alert in new[] { "ExplodingGradient", "NonFiniteGradient" })
        {
            Await($"{alert} at warning", $"ALERTS{{alertname=\"{alert}\", run_id=\"{DemoStack.Watch}\", severity=\"warning\", alertstate=\"firing\"}}");
        }

        // All of it while the run was still training: before the scrape that saw its last step (if that happened yet).
        var done = stack.QueryRange($"gradientwatch_steps_total{{run_id=\"{DemoStack.Watch}\"}} >= {DemoStack.WatchSteps}").Select(s => s!["values"]!.AsArray())
            .Where(v => v.Count > 0).Select(v => v[0]![0]!.GetValue<double>()).DefaultIfEmpty(double.MaxValue).Min();
        Assert.All(firstData, d => Assert.True(d.Time < done, $"{d.What} had data only at {d.Time}, after training ended at {done}"));
    }

    [Fact]
    public void Exploding_events_before_the_first_scrape_reach_the_dashboards_issue_query_and_page_through_alertmanager()
    {
        stack.WaitUntil(TimeSpan.FromSeconds(120), "the exploding demo to finish training and be listed for scraping", () => stack.ExplodingTargetAddedAt is not null);
        string run = $"run_id=\"{DemoStack.Exploding}\"";

        // Its very first sample already counts the exploding issues: they all happened before the first scrape.
        JsonArray first = [];
        stack.WaitUntil(TimeSpan.FromSeconds(45), "the exploding run's first scrape", () => (first = stack.QueryRange($"gradientwatch_issues_total{{{run}, kind=\"exploding\"}}")).Count > 0);
        double firstSample = double.Parse(first[0]!["values"]![0]![1]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.True(firstSample > 0, $"expected the exploding issues before the first scrape, first sample was {firstSample}");

        // The Overview's issue panel and issue annotation both show them.
        var overview = DashboardTests.Queries(DashboardTests.Load("gradientwatch-overview.json")).ToList();
        foreach (string name in new[] { "panel 'Issues over time'", "annotation 'Gradient issues'" })
        {
            string query = LiveTests.Substitute(overview.Single(q => q.Where == name).Expr, DemoStack.Exploding, rateInterval: "20s");
            stack.WaitUntil(TimeSpan.FromSeconds(30), $"{name} to show the exploding run's issues: {query}", () => stack.QueryRange(query).Any(s =>
                s!["metric"]!["kind"]!.GetValue<string>() == "exploding"
                && s["values"]!.AsArray().Any(v => double.Parse(v![1]!.GetValue<string>(), CultureInfo.InvariantCulture) > 0)));
        }

        // And the bundled rules page through the bundled Alertmanager configuration.
        stack.WaitUntil(TimeSpan.FromSeconds(60), "ExplodingGradient for the exploding run to reach the webhook", () => Alerts().Any(a =>
            Label(a, "alertname") == "ExplodingGradient" && Label(a, "run_id") == DemoStack.Exploding && a["status"]!.GetValue<string>() == "firing"));
        var alert = Alerts().First(a => Label(a, "alertname") == "ExplodingGradient" && Label(a, "run_id") == DemoStack.Exploding);
        Assert.Contains(Label(alert, "severity"), new[] { "warning", "critical" });
        Assert.Equal("mlp-relu-4x64", Label(alert, "model"));
        Assert.Contains("docs/runbook.md#explodinggradient", alert["annotations"]!["runbook_url"]!.GetValue<string>());
    }

    private static bool HasData(JsonArray result) => result.Any(s => s!["values"]!.AsArray().Count > 0);

    private static string? Label(JsonNode alert, string name) => WebhookReceiver.Label(alert, name);

    private IEnumerable<JsonNode> Alerts() => stack.Alerts;
}
