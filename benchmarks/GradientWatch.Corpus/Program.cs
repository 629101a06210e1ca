using System.Diagnostics;
using GradientWatch.Corpus.Reporting;
using GradientWatch.Corpus.Runs;
using GradientWatch.Corpus.Scoring;
using TorchSharp;

// Detection corpus: trains every run, labels it from its own trajectory, scores GradientWatch's detectors and remedies.
//   dotnet run -c Release --project benchmarks/GradientWatch.Corpus [-- --quick] [--write-results [path]] [--filter text] [--dump runs.jsonl]
//   add --with-alternatives to also train candidate remedy chains (RemedyConfig.ClipOnExploding)
//   add --detection-only to train only the detection-only configuration (labels and detector scores, no remedy rows; a third of the time)
//   dotnet run -c Release --project benchmarks/GradientWatch.Corpus -- --pairs-only [--write-results [path]]   (the eight fixes, docs/fix-pairs.md)
bool quick = args.Contains("--quick");
bool pairsOnly = args.Contains("--pairs-only");
string? filter = Arg("--filter");
string? dump = Arg("--dump");
int write = Array.IndexOf(args, "--write-results");
string? resultsPath = write < 0 ? null : write + 1 < args.Length && !args[write + 1].StartsWith("--", StringComparison.Ordinal) ? args[write + 1] : DefaultPath(pairsOnly ? "docs/fix-pairs.md" : "benchmarks/GradientWatch.Corpus/RESULTS.md");

torch.set_num_threads(1);
var clock = Stopwatch.StartNew();
var specs = (pairsOnly ? Array.Empty<RunSpec>() : quick ? CorpusDefinition.Quick() : CorpusDefinition.All()).Where(s => filter is null || s.Family == "reference" || s.Id.Contains(filter, StringComparison.OrdinalIgnoreCase) || s.Family == filter).ToList();
RemedyConfig[] configs = args.Contains("--detection-only")
    ? [RemedyConfig.None]
    : args.Contains("--with-alternatives")
    ? [RemedyConfig.None, RemedyConfig.Recommended, RemedyConfig.Clip, RemedyConfig.ClipOnExploding]
    : [RemedyConfig.None, RemedyConfig.Recommended, RemedyConfig.Clip];
Console.WriteLine($"GradientWatch detection corpus: {specs.Count} runs × {configs.Length} configurations{(quick ? " (quick subset)" : "")}");
var entries = CorpusEvaluation.Run(specs, configs, Console.WriteLine);
if (pairsOnly)
{
    var only = FixPairRunner.Run(args.Contains("--candidates") ? FixPairs.Candidates() : FixPairs.All(), Console.WriteLine);
    string table = FixPairTable.Document(only, "dotnet run -c Release --project benchmarks/GradientWatch.Corpus -- --pairs-only --write-results");
    Console.WriteLine(table);
    if (resultsPath is not null)
    {
        File.WriteAllText(resultsPath, table);
        Console.WriteLine($"wrote {Path.GetFullPath(resultsPath)}");
    }

    return;
}

var score = Scorer.Score(entries);
if (dump is not null)
{
    JsonDump.Write(dump, entries);
}

clock.Stop();
string command = "dotnet run -c Release --project benchmarks/GradientWatch.Corpus -- --write-results" + (quick ? " --quick" : "") + (configs.Length > 3 ? " --with-alternatives" : "");
string report = ResultsReport.Write(entries, score, command, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime);
Console.WriteLine();
Console.WriteLine(report[..report.IndexOf("## Every run", StringComparison.Ordinal)]);
Console.WriteLine($"wall time {clock.Elapsed.TotalSeconds:F0} s");
if (resultsPath is not null)
{
    File.WriteAllText(resultsPath, report);
    Console.WriteLine($"wrote {Path.GetFullPath(resultsPath)}");
}

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string DefaultPath(string relative)
{
    // The file in the repository this binary was built from.
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GradientWatch.sln")))
    {
        dir = dir.Parent;
    }

    return Path.Combine(dir?.FullName ?? ".", relative);
}
