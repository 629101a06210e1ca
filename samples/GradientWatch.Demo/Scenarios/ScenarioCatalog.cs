namespace GradientWatch.Demo.Scenarios;

/// <summary>The scenarios the demo knows, by name, and what <c>all</c> runs.</summary>
internal static class ScenarioCatalog
{
    /// <summary>The name that runs every scenario.</summary>
    public const string All = "all";

    /// <summary>Every scenario, in the order <c>all</c> runs them.</summary>
    public static IReadOnlyList<IDemoScenario> Scenarios { get; } = new IDemoScenario[]
    {
        new HealthyScenario(),
        new ExplodingScenario(),
        new VanishingScenario(),
        new NanScenario(),
        new CompareScenario(),
    };

    /// <summary>Scenarios that run only by name: <c>watch</c> takes minutes by design.</summary>
    public static IReadOnlyList<IDemoScenario> ByNameOnly { get; } = new IDemoScenario[] { new WatchScenario() };

    /// <summary>Every accepted name: the scenarios and <c>all</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = Scenarios.Concat(ByNameOnly).Select(s => s.Name).Append(All).ToArray();

    /// <summary>The scenarios a name selects.</summary>
    public static IReadOnlyList<IDemoScenario> Select(string name)
        => name == All ? Scenarios : Scenarios.Concat(ByNameOnly).Where(s => s.Name == name).ToArray() is { Length: > 0 } found
            ? found
            : throw new ArgumentException($"Unknown scenario '{name}'. Choose one of: {string.Join(", ", Names)}.", nameof(name));
}
