using System.Text.Json;
using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.Reporting;

/// <summary>Writes every run (label, trajectory, events) as JSON Lines, for analysis outside the benchmark.</summary>
internal static class JsonDump
{
    public static void Write(string path, IReadOnlyList<CorpusEntry> entries)
    {
        var options = new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        using var writer = new StreamWriter(path);
        foreach (var e in entries)
        {
            writer.WriteLine(JsonSerializer.Serialize(
                new
                {
                    id = e.Spec.Id,
                    family = e.Spec.Family,
                    labels = e.Label.Labels.Select(l => l.ToString()).ToArray(),
                    primary = e.Label.Primary.ToString(),
                    blowUp = e.Label.BlowUpStep,
                    nonFinite = e.Label.NonFiniteStep,
                    progress = e.Label.Progress,
                    reference = e.Reference,
                    runs = e.Results.ToDictionary(
                        r => r.Key.ToString(),
                        r => new
                        {
                            trajectory = r.Value.Trajectory,
                            events = r.Value.Events.Select(ev => new { ev.Step, ev.IsRemedy, kind = ev.Kind?.ToString(), severity = ev.Severity.ToString(), ev.Trigger, ev.Remedy, ev.Message }).ToArray(),
                        }),
                },
                options));
        }
    }
}
