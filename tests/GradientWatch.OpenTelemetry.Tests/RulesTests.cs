using GradientWatch.OpenTelemetry.Tests.Support;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>Prometheus configuration, alert rules and Alertmanager configuration, checked by their own tools.</summary>
public sealed class RulesTests
{
    private static string PrometheusDir => Repo.Path("dashboards", "prometheus");

    [Fact]
    public void Alert_rules_pass_promtool_check_rules()
    {
        var (code, output) = Tools.Run(Tools.Promtool, ["check", "rules", "rules/gradientwatch.rules.yml"], PrometheusDir);
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 9 rules found", output);
    }

    [Fact]
    public void Alert_rule_unit_tests_pass_promtool_test_rules()
    {
        var (code, output) = Tools.Run(Tools.Promtool, ["test", "rules", "tests/gradientwatch.rules.test.yml"], PrometheusDir);
        Assert.True(code == 0, output);
    }

    [Fact]
    public void Every_alert_has_severity_summary_description_runbook_and_is_tested_firing_and_not_firing()
    {
        string rules = File.ReadAllText(Path.Combine(PrometheusDir, "rules", "gradientwatch.rules.yml"));
        string tests = File.ReadAllText(Path.Combine(PrometheusDir, "tests", "gradientwatch.rules.test.yml"));
        string runbook = File.ReadAllText(Repo.Path("docs", "runbook.md"));
        string[] alerts = ["ExplodingGradient", "VanishingGradient", "NonFiniteGradient", "TrainingStalled", "GradientRemediesFiringContinuously"];
        var blocks = rules.Split("- alert: ").Skip(1).ToArray();
        Assert.Equal(alerts, blocks.Select(b => b[..b.IndexOf('\n')].Trim()).Distinct());
        foreach (string block in blocks)
        {
            string name = block[..block.IndexOf('\n')].Trim();
            Assert.Matches(@"severity: (critical|warning)", block);
            Assert.Contains("summary:", block);
            Assert.Contains("description:", block);
            Assert.Contains($"runbook_url: docs/runbook.md#{name.ToLowerInvariant()}", block);
            Assert.Contains($"## {name}", runbook);

            var cases = tests.Split("alertname: " + name).Skip(1).Select(c => c.TrimStart()).ToList();
            Assert.Contains(cases, c => c.StartsWith("exp_alerts: []", StringComparison.Ordinal));
            Assert.Contains(cases, c => c.StartsWith("exp_alerts:\n", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Event_alerts_have_a_warning_and_a_critical_severity_and_persistent_ones_wait_10_minutes()
    {
        string rules = File.ReadAllText(Path.Combine(PrometheusDir, "rules", "gradientwatch.rules.yml"));
        var blocks = rules.Split("- alert: ").Skip(1).Select(b => (Name: b[..b.IndexOf('\n')].Trim(), Body: b)).ToArray();
        foreach (string name in new[] { "ExplodingGradient", "NonFiniteGradient" })
        {
            var mine = blocks.Where(b => b.Name == name).ToArray();
            var warning = Assert.Single(mine, b => b.Body.Contains("severity: warning", StringComparison.Ordinal));
            Assert.DoesNotContain("for:", warning.Body, StringComparison.Ordinal); // fires on the first evaluation that sees the event
            Assert.Contains("gradientwatch_issues_recent", warning.Body, StringComparison.Ordinal);
            Assert.Contains(mine, b => b.Body.Contains("severity: critical", StringComparison.Ordinal) && b.Body.Contains("reason: keeps_coming", StringComparison.Ordinal));
        }

        foreach (string name in new[] { "VanishingGradient", "TrainingStalled", "GradientRemediesFiringContinuously" })
        {
            Assert.Contains("for: 10m", blocks.Single(b => b.Name == name).Body, StringComparison.Ordinal);
        }

        // The critical alert of a run silences its warning in Alertmanager.
        string am = File.ReadAllText(Repo.Path("dashboards", "alertmanager", "alertmanager.yml"));
        Assert.Contains("source_matchers: [severity=\"critical\"]", am, StringComparison.Ordinal);
    }

    [Fact]
    public void Recording_rules_pass_promtool_check_rules_and_their_unit_tests()
    {
        var (code, output) = Tools.Run(Tools.Promtool, ["check", "rules", "rules/gradientwatch.recording.yml"], PrometheusDir);
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 11 rules found", output);
        (code, output) = Tools.Run(Tools.Promtool, ["test", "rules", "tests/gradientwatch.recording.test.yml"], PrometheusDir);
        Assert.True(code == 0, output);

        // Every recording rule is unit-tested.
        string rules = File.ReadAllText(Path.Combine(PrometheusDir, "rules", "gradientwatch.recording.yml"));
        string tests = File.ReadAllText(Path.Combine(PrometheusDir, "tests", "gradientwatch.recording.test.yml"));
        var recorded = System.Text.RegularExpressions.Regex.Matches(rules, @"- record: (\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(11, recorded.Count);
        Assert.All(recorded, r => Assert.Contains($"- expr: {r}\n", tests, StringComparison.Ordinal));
    }

    [Fact]
    public void Vmalert_accepts_every_rule_file_and_rejects_a_broken_one()
    {
        string vmalert = Tools.Require("vmalert", Tools.VictoriaMetricsHint);
        var (code, output) = Tools.Run(vmalert, ["-rule=rules/*.yml", "-dryRun", "-loggerLevel=ERROR"], PrometheusDir);
        Assert.True(code == 0, output);

        string broken = Path.Combine(Path.GetTempPath(), $"gradientwatch-broken-{Guid.NewGuid():N}.yml");
        File.WriteAllText(broken, "groups:\n  - name: broken\n    rules:\n      - record: run:broken:sum\n        expr: sum by (run_id) (rate(gradientwatch_steps_total[1m])\n");
        try
        {
            (code, output) = Tools.Run(vmalert, [$"-rule={broken}", "-dryRun", "-loggerLevel=ERROR"], PrometheusDir);
            Assert.True(code != 0, "vmalert -dryRun accepted a rule with unbalanced parentheses: " + output);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void Remote_write_config_passes_promtool_check_config()
    {
        var (code, output) = Tools.Run(Tools.Promtool, ["check", "config", "prometheus-remote-write.yml"], PrometheusDir);
        Assert.True(code == 0, output);
        string config = File.ReadAllText(Path.Combine(PrometheusDir, "prometheus-remote-write.yml"));
        Assert.Contains("url: http://127.0.0.1:8428/api/v1/write", config);
        Assert.DoesNotContain("rule_files", config); // vmalert evaluates the rules against VictoriaMetrics
    }

    [Fact]
    public void Prometheus_config_passes_promtool_check_config()
    {
        var (code, output) = Tools.Run(Tools.Promtool, ["check", "config", "prometheus.yml"], PrometheusDir);
        Assert.True(code == 0, output);
    }

    [Fact]
    public void Alertmanager_config_passes_amtool_check_config()
    {
        string amtool = Tools.Require("amtool", Tools.PrometheusHint);
        var (code, output) = Tools.Run(amtool, ["check-config", Repo.Path("dashboards", "alertmanager", "alertmanager.yml")]);
        Assert.True(code == 0, output);
    }

    [Fact]
    public void Rules_use_only_metric_names_the_exporter_emits()
    {
        string rules = File.ReadAllText(Path.Combine(PrometheusDir, "rules", "gradientwatch.rules.yml"));
        var used = System.Text.RegularExpressions.Regex.Matches(rules, @"\bgradientwatch_[a-z0-9_]+\b").Select(m => m.Value).ToHashSet();
        Assert.NotEmpty(used);
        Assert.Subset(Scrape.SeriesNames.ToHashSet(), used);
    }
}
