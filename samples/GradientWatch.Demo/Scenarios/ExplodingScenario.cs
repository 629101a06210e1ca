namespace GradientWatch.Demo.Scenarios;

/// <summary>Exploding gradients from a learning rate far too high, tamed by clipping and learning-rate reduction.</summary>
internal sealed class ExplodingScenario : IDemoScenario
{
    public string Name => "exploding";

    public string Title => "Exploding: a learning rate far too high, with remedies";

    public string Description => "SGD with lr 0.3 and momentum 0.9 on a 4-layer ReLU MLP: unprotected, the gradients explode within ten steps "
        + "and the run is lost (see compare). GradientWatch flags every step whose raw global norm exceeds 5, clips the global norm to 1.0 "
        + "on every step that exceeds it, and halves the learning rate on exploding steps, so training converges instead.";

    public int DefaultEpochs => ExplodingSetup.DefaultEpochs;

    public IReadOnlyList<Training.TrainingSpec> CreateRuns(ScenarioParameters parameters)
        => new[] { ExplodingSetup.Create(Name, "with remedies", parameters, ExplodingSetup.Remedies) };
}
