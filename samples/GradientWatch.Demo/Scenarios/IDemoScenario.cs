using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Scenarios;

/// <summary>One demo scenario: a named training setup that shows one gradient problem and its remedy.</summary>
internal interface IDemoScenario
{
    /// <summary>The name used on the command line (for example <c>exploding</c>).</summary>
    string Name { get; }

    /// <summary>A one-line title.</summary>
    string Title { get; }

    /// <summary>What the scenario sets up and what to look for.</summary>
    string Description { get; }

    /// <summary>Epochs trained when the user does not choose.</summary>
    int DefaultEpochs { get; }

    /// <summary>Steps per second the scenario trains at in real time; 0 = as fast as possible (overridden by <c>--pace</c>).</summary>
    double DefaultStepsPerSecond => 0;

    /// <summary>The runs to train: one, or two for a side-by-side comparison.</summary>
    IReadOnlyList<TrainingSpec> CreateRuns(ScenarioParameters parameters);
}
