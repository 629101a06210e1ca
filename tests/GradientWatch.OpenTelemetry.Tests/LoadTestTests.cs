using System.Globalization;
using System.Text.Json.Nodes;
using GradientWatch.OpenTelemetry.Tests.Support;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>
/// The load test (benchmarks/GradientWatch.LoadTest), small and bounded: 3 simulated processes replaying a real
/// GradientWatch scrape, Prometheus remote-writing them to VictoriaMetrics, vmalert recording, a 10 s window.
/// The full run (several scales, 64 layers) is a benchmark run on demand; results in benchmarks/LOADTEST.md.
/// </summary>
[Collection(LiveStacks.Name)]
public sealed class LoadTestTests
{
    [Fact]
    public void A_small_load_test_stores_every_series_and_answers_every_dashboard_query()
    {
        string dll = Repo.LoadTestDll;
        Assert.True(File.Exists(dll), $"The load test {dll} is not built; build the solution first.");
        string json = Path.Combine(Path.GetTempPath(), $"gradientwatch-loadtest-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output) = Tools.Run("dotnet", [dll, "--scales", "3", "--seconds", "10", "--scrape-interval", "1", "--layers", "8", "--json", json], timeoutSeconds: 240);
            Assert.True(code == 0, output);
            var round = JsonNode.Parse(File.ReadAllText(json))!.AsArray().Single()!;
            int Int(string name) => round[name]!.GetValue<int>();
            double Num(string name) => round[name]!.GetValue<double>();

            // Every series of every simulated process reached VictoriaMetrics through Prometheus' remote write.
            Assert.Equal(3, Int("Processes"));
            Assert.Equal(3 * Int("SeriesPerProcess"), Int("SeriesInBackend"));

            // 1 s scrapes of 3 processes: about 3 x series samples per second arrive.
            Assert.InRange(Num("SamplesPerSecond"), 0.5 * Int("SeriesInBackend"), 2.0 * Int("SeriesInBackend"));
            Assert.True(Num("ScrapeBytesPerProcess") > 1000, output);
            Assert.True(Num("PrometheusCores") > 0 && Num("VictoriaMetricsCores") > 0, output);

            // vmalert's recording rules: 6 per run + 4 per layer of the one model + 1 per model.
            Assert.Equal((6 * 3) + (4 * 8) + 1, Int("RecordedSeries"));

            // Every dashboard panel query, for all runs and for one, answered with data by VictoriaMetrics.
            var queries = round["Queries"]!.AsArray();
            Assert.Equal(2 * DashboardTests.DashboardFiles.Sum(f => DashboardTests.Queries(DashboardTests.Load(f)).Count(q => q.Where.StartsWith("panel", StringComparison.Ordinal))), queries.Count);
            Assert.All(queries, q => Assert.True(q!["Series"]!.GetValue<int>() > 0, $"no data: {q.ToJsonString()}"));
            Assert.Contains("## Extrapolated to 1,000 processes", output);
            Assert.Equal(3, Int("TargetsUp"));
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"| 3 (3) | {Int("SeriesInBackend"):N0} |"), output);
        }
        finally
        {
            File.Delete(json);
        }
    }
}
