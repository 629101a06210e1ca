using System.Diagnostics;
using GradientWatch.Corpus.MlNet;
using GradientWatch.Corpus.Reporting;
using GradientWatch.Corpus.Runs;
using GradientWatch.Corpus.Scoring;
using TorchSharp;

// Detection corpus: trains every run, labels it from its own trajectory, scores GradientWatch's detectors and remedies.
//   dotnet run -c Release --project benchmarks/GradientWatch.Corpus [-- --quick] [--write-results [path]] [--filter text] [--dump runs.jsonl]
//   add --with-alternatives to also train alternative remedy chains (the previous recommendation and two variants; RemedyConfig)
//   add --detection-only to train only the detection-only configuration (labels and detector scores, no remedy rows; far faster)
//   the full run (no --quick, no --filter) also trains the held-out draws (HeldOutCorpus.Published) and the ML.NET-path runs (MlNetCorpus),
//   each scored on its own (--jobs 2: in a second process beside the tuning corpus; the same results);
//   --no-held-out / --no-mlnet / --no-tuning leave sets out (for development; RESULTS.md then lacks them)
//   dotnet run -c Release --project benchmarks/GradientWatch.Corpus -- --pairs-only [--write-results [path]]   (the eight fixes, docs/fix-pairs.md)
bool quick = args.Contains("--quick");
bool pairsOnly = args.Contains("--pairs-only");
string? filter = Arg("--filter");
string? dump = Arg("--dump");
int write = Array.IndexOf(args, "--write-results");
string? resultsPath = write < 0 ? null : write + 1 < args.Length && !args[write + 1].StartsWith("--", StringComparison.Ordinal) ? args[write + 1] : DefaultPath(pairsOnly ? "docs/fix-pairs.md" : "benchmarks/GradientWatch.Corpus/RESULTS.md");

torch.set_num_threads(1);
var clock = Stopwatch.StartNew();
var specs = (pairsOnly || args.Contains("--no-tuning") ? Array.Empty<RunSpec>() : quick ? CorpusDefinition.Quick() : CorpusDefinition.All()).Where(s => filter is null || s.Family == "reference" || s.Id.Contains(filter, StringComparison.OrdinalIgnoreCase) || s.Family == filter).ToList();
RemedyConfig[] configs = args.Contains("--detection-only")
    ? [RemedyConfig.None]
    : args.Contains("--with-alternatives")
    ? [RemedyConfig.None, RemedyConfig.Recommended, RemedyConfig.Clip, RemedyConfig.PreviousRecommended, RemedyConfig.ClipOnExploding, RemedyConfig.RecommendedWithHalving]
    : [RemedyConfig.None, RemedyConfig.Recommended, RemedyConfig.Clip];
Console.WriteLine($"GradientWatch detection corpus: {specs.Count} runs × {configs.Length} configurations{(quick ? " (quick subset)" : "")}");
bool full = !quick && !pairsOnly && filter is null;
bool trainHeldOut = full && !args.Contains("--no-held-out");
bool trainMlNet = full && !args.Contains("--no-mlnet");
string? worker = Arg("--worker");
var references = new Dictionary<(string Dataset, int Window), double>();
if (worker is not null)
{
    // The second process of a full run: the held-out draws and the ML.NET path, handed back as JSON.
    ExtraSets.Train(trainHeldOut, trainMlNet, configs, references, clock, Console.WriteLine).Write(worker);
    return;
}

// --jobs 2: the held-out draws and the ML.NET path train in a second process beside the tuning corpus (same results; faster
// only when a second core is free: on the shared 2-core VM under load it was slower, 2.3 against 1.9 min detection-only).
var second = (trainHeldOut || trainMlNet) && specs.Count > 0 && Arg("--jobs") == "2"
    ? ExtraSets.Start(args.Where((a, i) => a is not ("--write-results" or "--dump") && (i == 0 || args[i - 1] is not ("--write-results" or "--dump") || a.StartsWith("--", StringComparison.Ordinal))).Append("--no-tuning"))
    : default((System.Diagnostics.Process Process, string Path)?);
var entries = CorpusEvaluation.Run(specs, configs, Console.WriteLine);
Console.WriteLine($"tuning corpus: {entries.Count} runs in {clock.Elapsed.TotalSeconds:F0} s");
foreach (var (key, value) in CorpusEvaluation.References(entries))
{
    references[key] = value;
}

var extra = second is { } s2 ? ExtraSets.Collect(s2.Process, s2.Path) : ExtraSets.Train(trainHeldOut, trainMlNet, configs, references, clock, Console.WriteLine);
var heldOut = extra.HeldOut;
var mlNet = extra.MlNet;
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
var sets = new List<ScoredSet> { new(ResultsReport.TuningName, entries, score) };
foreach (var (draw, drawnEntries) in heldOut)
{
    sets.Add(new(draw.Name, drawnEntries, Scorer.Score(drawnEntries, score.SeedNoise)));
}

if (mlNet.Count > 0)
{
    var mlEntries = mlNet.Select(m => m.Entry).ToList();
    sets.Add(new(ResultsReport.MlNetName, mlEntries, Scorer.Score(mlEntries, score.SeedNoise)));
}

if (dump is not null)
{
    JsonDump.Write(dump, sets.SelectMany(s => s.Entries).ToList());
}

clock.Stop();
string command = "dotnet run -c Release --project benchmarks/GradientWatch.Corpus -- --write-results" + (quick ? " --quick" : "") + (configs.Length > 3 ? " --with-alternatives" : "");
string report = ResultsReport.Write(sets, mlNet, command, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime + extra.WorkerCpu);
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
