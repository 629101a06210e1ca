using GradientWatch.Demo.Scenarios;
using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Reporting;

/// <summary>A finished scenario: its runs, their diagnoses, and the files written for it.</summary>
internal sealed record ScenarioOutcome
{
    public required IDemoScenario Scenario { get; init; }

    public required IReadOnlyList<DemoRun> Runs { get; init; }

    public required IReadOnlyList<Diagnosis> Diagnoses { get; init; }

    /// <summary>The scenario's output folder.</summary>
    public required string Directory { get; init; }

    /// <summary>How the runs were trained (plain loop or ML.NET pipeline).</summary>
    public required string TrainedWith { get; init; }

    /// <summary>Files written, relative to <see cref="Directory"/>.</summary>
    public IReadOnlyList<string> Files { get; init; } = Array.Empty<string>();

    /// <summary>The HTML report, relative to <see cref="Directory"/>.</summary>
    public const string ReportFile = "report.html";

    /// <summary>The JSON Lines event file, relative to <see cref="Directory"/>.</summary>
    public const string EventsFile = "events.jsonl";

    /// <summary>The per-step statistics, relative to <see cref="Directory"/>.</summary>
    public const string StepsFile = "steps.csv";
}
