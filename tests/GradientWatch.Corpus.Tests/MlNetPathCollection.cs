namespace GradientWatch.Corpus.Tests;

/// <summary>ML.NET-path runs seed TorchSharp's process-wide generator, so nothing else runs beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MlNetPathCollection
{
    public const string Name = "ML.NET path (seeded, runs alone)";
}
