using GradientWatch.Demo.Live;
using GradientWatch.Demo.Metrics;
using GradientWatch.Demo.Reporting;
using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Scenarios;

/// <summary>Runs one scenario: trains its runs under a progress view, then writes its files and builds its diagnosis.</summary>
internal sealed class ScenarioRunner
{
    private readonly IDemoTrainer trainer;
    private readonly IMetricsAttachment metrics;
    private readonly ScenarioReportWriter writer = new();

    public ScenarioRunner(IDemoTrainer trainer, IMetricsAttachment metrics)
    {
        this.trainer = trainer;
        this.metrics = metrics;
    }

    public ScenarioOutcome Run(IDemoScenario scenario, ScenarioParameters parameters, string outputRoot, IProgressView view, CancellationToken cancellation = default)
    {
        string directory = Path.Combine(outputRoot, scenario.Name);
        OutputFolder.PrepareScenario(directory);
        string eventFile = Path.Combine(directory, ScenarioOutcome.EventsFile);
        File.WriteAllText(eventFile, string.Empty); // exists even when a run raises no event
        double pace = parameters.StepsPerSecond ?? scenario.DefaultStepsPerSecond;
        ITrainingObserver observer = pace > 0 ? new PacedObserver(view, pace, cancellation) : view;
        var runs = view.Show(() =>
        {
            var list = new List<DemoRun>();
            foreach (var spec in scenario.CreateRuns(parameters))
            {
                cancellation.ThrowIfCancellationRequested();
                list.Add(trainer.Train(spec, observer, eventFile, metrics));
            }

            return list;
        });
        var outcome = new ScenarioOutcome
        {
            Scenario = scenario,
            Runs = runs,
            Diagnoses = runs.Select(DiagnosisBuilder.Build).ToArray(),
            Directory = directory,
            TrainedWith = trainer.Description,
        };
        return writer.Write(outcome);
    }
}
