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
        foreach (string file in DashboardTests.DashboardFiles)
        {
            foreach (var (where, expr) in DashboardTests.Queries(DashboardTests.Load(file)))
            {
                // Grafana's $__rate_interval with a 5 s scrape interval is 4 x 5 s.
                string query = LiveTests.Substitute(expr, DemoStack.Watch, rateInterval: "20s", interval: "5s");
                stack.WaitUntil(TimeSpan.FromSeconds(90), $"{file} {where} to return data for the watch run: {query}", () => HasData(stack.QueryRange(query)));
            }
        }

        // The story: the issue annotations mark the exploding phase and the NaN steps.
        string issues = LiveTests.Substitute(
            DashboardTests.Queries(DashboardTests.Load("gradientwatch-overview.json")).Single(q => q.Where.Contains("Gradient issues", StringComparison.Ordinal)).Expr,
            DemoStack.Watch, rateInterval: "20s");
        stack.WaitUntil(TimeSpan.FromSeconds(60), "exploding and non_finite issue annotations for the watch run", () =>
        {
            var kinds = stack.QueryRange(issues).Select(s => s!["metric"]!["kind"]!.GetValue<string>()).ToHashSet();
            return kinds.Contains("exploding") && kinds.Contains("non_finite");
        });

        // The README's recipe: the exploding phase and the NaN steps raise their alerts, at warning (remedies absorbed them).
        foreach (string alert in new[] { "ExplodingGradient", "NonFiniteGradient" })
        {
            stack.WaitUntil(TimeSpan.FromSeconds(30), $"{alert} at warning for the watch run", () =>
                stack.QueryRange($"ALERTS{{alertname=\"{alert}\", run_id=\"{DemoStack.Watch}\", severity=\"warning\", alertstate=\"firing\"}}").Count > 0);
        }

        // All of it while the run was still training: the demo prints "Done." only after the run.
        Assert.DoesNotContain(stack.LogOf(DemoStack.Watch), l => l.StartsWith("Done.", StringComparison.Ordinal));
        double steps = stack.Query($"gradientwatch_steps_total{{run_id=\"{DemoStack.Watch}\"}}").Select(s => double.Parse(s!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture)).Single();
        Assert.InRange(steps, 1, DemoStack.WatchSteps - 1);
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
