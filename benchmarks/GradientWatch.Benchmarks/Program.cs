using System.CommandLine;
using System.Diagnostics;
using GradientWatch.Benchmarks;
using GradientWatch.Benchmarks.Models;
using Spectre.Console;

var quick = new Option<bool>("--quick") { Description = "A smoke run of under a minute: fewer rounds and a 10,000-step soak. Numbers are noisier." };
var write = new Option<bool>("--write-results") { Description = "Write the results to benchmarks/RESULTS.md (or --results-file)." };
var resultsFile = new Option<string?>("--results-file") { Description = "Where --write-results writes. Default: benchmarks/RESULTS.md in the repository." };
var rounds = new Option<int?>("--rounds") { Description = "Interleaved rounds for the training-step comparison (default 30, quick 3)." };
var soakSteps = new Option<int?>("--soak-steps") { Description = "Steps of the memory soak after warm-up (default 10,000; at least 10,000 for the issue's check)." };
var skipSoak = new Option<bool>("--no-soak") { Description = "Skip the memory soak." };
var root = new RootCommand("GradientWatch overhead benchmark: training-step overhead, statistics against the read-once floor, and a memory soak.")
{
    quick, write, resultsFile, rounds, soakSteps, skipSoak,
};

root.SetAction(parse =>
{
    bool isQuick = parse.GetValue(quick);
    var settings = new RunSettings(
        isQuick,
        StepRounds: parse.GetValue(rounds) ?? (isQuick ? 3 : 30),
        StepsPerSample: GradientWatch.GradientWatchOptions.DefaultFullStatisticsInterval,
        WarmupSteps: isQuick ? 5 : 20,
        StatisticsRounds: isQuick ? 4 : 40,
        SoakSteps: parse.GetValue(skipSoak) ? 0 : parse.GetValue(soakSteps) ?? 10_000);
    var report = BenchmarkRunner.Run(settings, AnsiConsole.Console);
    report.Print(AnsiConsole.Console);
    if (parse.GetValue(write))
    {
        string? file = parse.GetValue(resultsFile);
        string path = file ?? Path.Combine(BenchmarkRunner.RepositoryRoot(), "benchmarks", "RESULTS.md");

        // The command that regenerates the file, with the settings that change what it measures.
        string command = (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") is "0" ? "DOTNET_EnableAVX512=0 " : string.Empty)
            + "dotnet run -c Release --project benchmarks/GradientWatch.Benchmarks --" + (isQuick ? " --quick" : string.Empty)
            + (parse.GetValue(skipSoak) ? " --no-soak" : string.Empty) + " --write-results" + (file is null ? string.Empty : " --results-file " + file);
        File.WriteAllText(path, report.ToMarkdown(command));
        AnsiConsole.MarkupLineInterpolated($"[grey]results written to {path}[/]");
    }

    Console.WriteLine(report.ToJsonLine());
    return 0;
});

return root.Parse(args).Invoke();

namespace GradientWatch.Benchmarks
{
    /// <summary>Runs every section in order and collects the report.</summary>
    internal static class BenchmarkRunner
    {
        public static BenchmarkReport Run(RunSettings settings, IAnsiConsole console)
        {
            var clock = Stopwatch.StartNew();
            var machine = MachineInfo.Collect();
            // The soak runs first, in a process that has not yet held the 5M-parameter models, so RSS means something.
            SoakResult? soak = null;
            if (settings.SoakSteps > 0)
            {
                console.MarkupLineInterpolated($"[grey]{clock.Elapsed.TotalSeconds,5:F0} s  soak ({settings.SoakSteps} steps)...[/]");
                soak = SoakBenchmark.Run(settings.SoakSteps);
            }

            var steps = new List<StepResult>();
            var statistics = new List<StatisticsResult>();
            foreach (var make in new Func<Workload>[] { () => Workload.ReferenceMlp(), () => Workload.TransformerLike() })
            {
                using var workload = make();
                console.MarkupLineInterpolated($"[grey]{clock.Elapsed.TotalSeconds,5:F0} s  {workload.Name}: training steps ({settings.StepRounds} rounds)...[/]");
                steps.Add(StepBenchmark.Run(workload, settings.WarmupSteps, settings.StepRounds, settings.StepsPerSample));
                console.MarkupLineInterpolated($"[grey]{clock.Elapsed.TotalSeconds,5:F0} s  {workload.Name}: statistics alone ({settings.StatisticsRounds} rounds)...[/]");
                statistics.Add(StatisticsBenchmark.Run(workload, settings.StatisticsRounds));
            }

            return new BenchmarkReport(machine, settings, steps, statistics, soak, BenchmarkReport.Evaluate(steps, statistics, soak), clock.Elapsed.TotalSeconds);
        }

        /// <summary>The directory holding GradientWatch.sln, searched upwards from the current directory and the binary.</summary>
        public static string RepositoryRoot()
        {
            foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "GradientWatch.sln")))
                    {
                        return dir.FullName;
                    }
                }
            }

            return Environment.CurrentDirectory;
        }
    }
}
