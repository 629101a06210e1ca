using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using GradientWatch.Corpus.MlNet;
using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.Runs;

/// <summary>
/// The sets trained besides the tuning corpus: the held-out draws (<see cref="HeldOutCorpus.Published"/>) and the
/// ML.NET-path runs (<see cref="MlNetCorpus"/>). They need only reference losses from the tuning corpus, which they
/// train themselves when missing, so with <c>--jobs 2</c> a full run trains them in a second process beside the tuning
/// corpus (one thread each; TorchSharp's generator is process-wide, so runs cannot share a process). The second process
/// hands its results back as JSON (doubles round-trip exactly; labels are recomputed from the trajectories), and
/// RESULTS.md comes out the same as from one process.
/// </summary>
internal sealed class ExtraSets
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public List<(HeldOutDraw Draw, IReadOnlyList<CorpusEntry> Entries)> HeldOut { get; } = [];

    public IReadOnlyList<MlNetEntry> MlNet { get; private set; } = [];

    /// <summary>CPU time of the process that trained these sets, when it was a second process.</summary>
    public TimeSpan WorkerCpu { get; private set; }

    /// <summary>Trains the requested sets in this process; <paramref name="references"/> gains the reference runs trained on the way.</summary>
    public static ExtraSets Train(bool heldOut, bool mlNet, IReadOnlyList<RemedyConfig> configs, Dictionary<(string Dataset, int Window), double> references, Stopwatch clock, Action<string> log)
    {
        var sets = new ExtraSets();
        if (heldOut)
        {
            foreach (var draw in HeldOutCorpus.Published)
            {
                var drawn = HeldOutCorpus.Draw(draw);
                log($"{draw.Name}: {drawn.Count} runs drawn with generator seed {draw.GeneratorSeed}");
                AddReferences(drawn.Select(r => (r.Dataset, r.Window)), references, log);
                sets.HeldOut.Add((draw, CorpusEvaluation.Run(drawn, configs, log, references)));
                log($"{draw.Name} done at {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        if (mlNet)
        {
            var setups = MlNetCorpus.All();
            AddReferences(setups.Select(s => (s.Spec.Dataset, s.Spec.Window)), references, log);
            sets.MlNet = MlNetCorpus.Run(setups, references, log);
            log($"ML.NET path done at {clock.Elapsed.TotalSeconds:F0} s");
        }

        return sets;
    }

    /// <summary>Starts this program again as a second process that trains the extra sets and writes them to a file; <see cref="Collect"/> waits for it.</summary>
    public static (Process Process, string Path) Start(IEnumerable<string> args)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gradientwatch-corpus-{Environment.ProcessId}.json");
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (System.IO.Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ExtraSets).Assembly.Location);
        }

        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--worker");
        start.ArgumentList.Add(path);
        return (Process.Start(start) ?? throw new InvalidOperationException("could not start the second corpus process"), path);
    }

    /// <summary>Waits for the second process and reads what it trained.</summary>
    public static ExtraSets Collect(Process process, string path)
    {
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the second corpus process (held-out draws, ML.NET path) failed with exit code {process.ExitCode}; rerun without --jobs 2 to see its error in this process");
        }

        var payload = JsonSerializer.Deserialize<Payload>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty");
        File.Delete(path);
        var sets = new ExtraSets { MlNet = payload.MlNet.Select(m => new MlNetEntry(m.Setup, m.Entry.ToEntry(), m.Outcomes)).ToList(), WorkerCpu = TimeSpan.FromSeconds(payload.CpuSeconds) };
        sets.HeldOut.AddRange(payload.HeldOut.Select(h => (h.Draw, (IReadOnlyList<CorpusEntry>)h.Entries.Select(e => e.ToEntry()).ToList())));
        return sets;
    }

    /// <summary>Writes these sets for <see cref="Collect"/> (in the second process).</summary>
    public void Write(string path)
    {
        var payload = new Payload(
            HeldOut.Select(h => new DrawPayload(h.Draw, h.Entries.Select(EntryPayload.From).ToList())).ToList(),
            MlNet.Select(m => new MlNetPayload(m.Setup, EntryPayload.From(m.Entry), m.Outcomes.ToDictionary())).ToList(),
            Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        File.WriteAllText(path, JsonSerializer.Serialize(payload, Json));
    }

    /// <summary>Trains, detection only, the reference runs of the datasets and windows that have none yet.</summary>
    public static void AddReferences(IEnumerable<(string Dataset, int Window)> keys, Dictionary<(string Dataset, int Window), double> references, Action<string> log)
    {
        var missing = keys.Distinct().Where(k => !references.ContainsKey(k)).Select(k => CorpusDefinition.Reference(k.Dataset, k.Window) with { Quick = false }).ToList();
        log($"{missing.Count} more reference runs");
        foreach (var (key, value) in CorpusEvaluation.References(CorpusEvaluation.Run(missing, [RemedyConfig.None], log)))
        {
            references[key] = value;
        }
    }

    private sealed record Payload(List<DrawPayload> HeldOut, List<MlNetPayload> MlNet, double CpuSeconds);

    private sealed record DrawPayload(HeldOutDraw Draw, List<EntryPayload> Entries);

    private sealed record MlNetPayload(MlNetSetup Setup, EntryPayload Entry, Dictionary<RemedyConfig, MlNetOutcome> Outcomes);

    /// <summary>A corpus entry without its label, which is recomputed from the detection-only trajectory.</summary>
    private sealed record EntryPayload(RunSpec Spec, Dictionary<RemedyConfig, RunResult> Results, double Reference)
    {
        public static EntryPayload From(CorpusEntry e) => new(e.Spec, e.Results.ToDictionary(), e.Reference);

        public CorpusEntry ToEntry() => new(Spec, Labeller.Label(Results[RemedyConfig.None].Trajectory, Reference), Results, Reference);
    }
}
