using System.Text.Json;
using GradientWatch.LoadTest;

// Load test of the many-runs backend: N simulated training processes' endpoints (replayed real GradientWatch
// scrapes) on 127.0.0.1, Prometheus remote-writing to VictoriaMetrics, vmalert evaluating the rules; at each scale
// it measures scrape and ingest cost and the dashboards' query latency, and extrapolates to 1,000 processes.
// Bounded: every round waits at most 2 minutes for data, then measures --seconds, then stops what it started.
LoadTestOptions options;
try
{
    options = LoadTestOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

string root = FindRepoRoot();
Console.WriteLine($"Capturing a real GradientWatch scrape ({options.Layers} layers)...");
var template = ExportTemplate.Capture(options.Layers);
Console.WriteLine($"  {template.Series} series, {template.TemplateBytes:N0} bytes per scrape");

var results = new List<ScaleResult>();
foreach (int n in options.Scales)
{
    Console.WriteLine($"Round: {n} simulated processes");
    var r = new LoadRound(options, template, root).Run(n);
    results.Add(r);
    Console.WriteLine($"  series {r.SeriesInBackend:N0}, {r.SamplesPerSecond:N0} samples/s, Prometheus {r.PrometheusCores:F3} cores, VictoriaMetrics {r.VictoriaMetricsCores:F3} cores, vmalert {r.VmalertCores:F3} cores, Runs dashboard median query {Report.Median(r.Queries.Where(q => q.Dashboard == "gradientwatch-runs" && q.AllRuns).ToList()):F1} ms");
}

string markdown = Report.Markdown(options, results, template.TemplateBytes);
Console.WriteLine();
Console.WriteLine(markdown);
if (options.JsonPath is { } json)
{
    File.WriteAllText(json, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
}

if (options.WriteResults)
{
    File.WriteAllText(Path.Combine(root, "benchmarks", "LOADTEST.md"), markdown);
    Console.WriteLine("wrote benchmarks/LOADTEST.md");
}

return 0;

static string FindRepoRoot()
{
    foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GradientWatch.sln")))
            {
                return dir.FullName;
            }
        }
    }

    throw new InvalidOperationException("GradientWatch.sln not found: run from the repository.");
}
