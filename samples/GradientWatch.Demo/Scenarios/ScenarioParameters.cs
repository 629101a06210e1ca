namespace GradientWatch.Demo.Scenarios;

/// <summary>What the user chose for a scenario: the seed, and optionally the length of the run.</summary>
internal sealed record ScenarioParameters
{
    /// <summary>Seed for the data, the module initialization and the shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Epochs to train, or null for the scenario's default.</summary>
    public int? Epochs { get; init; }

    /// <summary>Optimizer steps to train (rounded up to whole epochs), or null for the scenario's default.</summary>
    public int? Steps { get; init; }

    /// <summary>Steps per second to train at in real time (0 = as fast as possible), or null for the scenario's default.</summary>
    public double? StepsPerSecond { get; init; }

    /// <summary>Rows of generated training data.</summary>
    public int Rows { get; init; } = 512;

    /// <summary>Rows per optimizer step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The epochs to train: <see cref="Epochs"/>, else <see cref="Steps"/> in whole epochs, else <paramref name="scenarioDefault"/>.</summary>
    public int ResolveEpochs(int scenarioDefault)
    {
        if (Epochs is { } epochs)
        {
            return epochs;
        }

        if (Steps is { } steps)
        {
            int perEpoch = (Rows + BatchSize - 1) / BatchSize;
            return Math.Max(1, (steps + perEpoch - 1) / perEpoch);
        }

        return scenarioDefault;
    }
}
