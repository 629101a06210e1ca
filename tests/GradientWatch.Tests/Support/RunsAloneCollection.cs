namespace GradientWatch.Tests.Support;

/// <summary>
/// Tests that depend on process-wide state run in this collection, with no other test in parallel: seeded training
/// scenarios (TorchSharp's <c>manual_seed</c> generator is shared by every thread, so a parallel test drawing from it
/// changes their initial weights) and the soak (it measures the process-wide managed heap).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
    public const string Name = "Runs alone (process-wide state)";
}
