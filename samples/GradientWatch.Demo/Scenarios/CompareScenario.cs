namespace GradientWatch.Demo.Scenarios;

/// <summary>The exploding setup twice: detection only, then with remedies, side by side.</summary>
internal sealed class CompareScenario : IDemoScenario
{
    public string Name => "compare";

    public string Title => "Compare: the exploding setup without and with remedies";

    public string Description => "The exploding setup trained twice from the same seed. Without remedies GradientWatch only watches: it flags "
        + "the exploding gradients, and then what they leave behind: the huge steps leave the run stalled or lost (ReLUs killed, gradients "
        + "vanishing behind them, a loss that stops falling or turns non-finite). "
        + "With clipping and learning-rate reduction the same run converges.";

    public int DefaultEpochs => ExplodingSetup.DefaultEpochs;

    public IReadOnlyList<Training.TrainingSpec> CreateRuns(ScenarioParameters parameters) => new[]
    {
        ExplodingSetup.Create("compare-without", "without remedies", parameters, w => ExplodingSetup.Detection(w)),
        ExplodingSetup.Create("compare-with", "with remedies", parameters, ExplodingSetup.Remedies),
    };
}
