namespace GradientWatch.Corpus.Tests;

/// <summary>Corpus runs are seeded through TorchSharp's process-wide generator, so nothing else runs beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuickCorpusCollection : ICollectionFixture<QuickCorpusFixture>
{
    public const string Name = "Quick corpus (seeded, runs alone)";
}
