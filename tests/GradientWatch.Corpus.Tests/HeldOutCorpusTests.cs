using GradientWatch.Corpus.Runs;

namespace GradientWatch.Corpus.Tests;

/// <summary>The held-out draws are drawn, not designed: reproducible from their recorded generator seeds, disjoint from the tuning corpus and from each other, and spread over the whole space.</summary>
public sealed class HeldOutCorpusTests
{
    private static readonly IReadOnlyList<RunSpec> Published = HeldOutCorpus.Draw();

    private static readonly IReadOnlyList<RunSpec> Second = HeldOutCorpus.Draw(HeldOutCorpus.Second);

    private static readonly IReadOnlyList<RunSpec> Third = HeldOutCorpus.Draw(HeldOutCorpus.Third);

    public static TheoryData<int> Draws() => [0, 1, 2];

    [Fact]
    public void TheSameGeneratorSeedDrawsTheSameRuns()
    {
        Assert.Equal(HeldOutCorpus.Size, Published.Count);
        Assert.Equal(Published, HeldOutCorpus.Draw(HeldOutCorpus.GeneratorSeed));
        Assert.NotEqual(Published.Select(r => r.Id), HeldOutCorpus.Draw(HeldOutCorpus.GeneratorSeed + 1).Select(r => r.Id));
        Assert.Equal(Published, HeldOutCorpus.Draw(HeldOutCorpus.First));
        Assert.Equal(Second, HeldOutCorpus.Draw(HeldOutCorpus.Second));
        Assert.Equal(Third, HeldOutCorpus.Draw(HeldOutCorpus.Third));
        Assert.Equal([HeldOutCorpus.First, HeldOutCorpus.Second, HeldOutCorpus.Third], HeldOutCorpus.Published);
    }

    [Fact]
    public void ThePublishedSetIsTheOneRecordedInTheDocs()
    {
        // docs/detection-corpus.md and RESULTS.md describe this draw; a change to the space or the generator makes a new
        // held-out set, which must be recorded there (and here) on purpose.
        Assert.Equal("modechoice/mlp 16x128 sigmoid/sgd 0.042/b8/s338757", Published[0].Id);
        Assert.Equal("co2[8]/resmlp 8x16 tanh/adam 0.032/b8/s149182", Published[19].Id);
        Assert.Equal(2026120202, HeldOutCorpus.Second.GeneratorSeed);
        Assert.Equal("elnino[32]/resmlp 8x16 relu/sgd 0.0011/b128/s1839047", Second[0].Id);
        Assert.Equal("sunspots[8]/lstm 3x32/sgd 0.014/b256/s1404090", Second[19].Id);
        Assert.Equal(2026120203, HeldOutCorpus.Third.GeneratorSeed);
        Assert.Equal("randhie/resmlp 8x128 leakyrelu/adamw 0.0062/b8/wd0.0001/s2619761", Third[0].Id);
        Assert.Equal("sunspots[64]/gru 3x32/sgd 0.055/b16/s2047691", Third[19].Id);
    }

    [Fact]
    public void HeldOutRunsShareNoSeedAndNoRunWithTheTuningCorpus()
    {
        var tuning = CorpusDefinition.All();
        var tuningSeeds = tuning.Select(r => r.Seed).ToHashSet();
        Assert.All(Published, r => Assert.True(r.Seed >= HeldOutCorpus.FirstSeed && !tuningSeeds.Contains(r.Seed), r.Id));
        Assert.Empty(Published.Select(r => r.Id).Intersect(tuning.Select(r => r.Id)));
        Assert.All(Published, r => Assert.Equal(HeldOutCorpus.Family, r.Family));
        Assert.Equal(Published.Count, Published.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void TheSecondDrawSharesNoSeedAndNoRunWithTheTuningCorpusOrTheFirstDraw()
    {
        var earlier = CorpusDefinition.All().Concat(Published).ToList();
        var earlierSeeds = earlier.Select(r => r.Seed).ToHashSet();
        Assert.All(Second, r => Assert.True(r.Seed >= HeldOutCorpus.Second.FirstSeed && r.Seed < HeldOutCorpus.Second.EndSeed && !earlierSeeds.Contains(r.Seed), r.Id));
        Assert.True(HeldOutCorpus.First.EndSeed <= HeldOutCorpus.Second.FirstSeed, "seed ranges overlap");
        Assert.Empty(Second.Select(r => r.Id).Intersect(earlier.Select(r => r.Id)));
        Assert.All(Second, r => Assert.Equal(HeldOutCorpus.Second.Family, r.Family));
        Assert.NotEqual(HeldOutCorpus.First.Name, HeldOutCorpus.Second.Name);
        Assert.Equal(Second.Count, Second.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void TheThirdDrawSharesNoSeedAndNoRunWithTheTuningCorpusOrTheEarlierDraws()
    {
        var earlier = CorpusDefinition.All().Concat(Published).Concat(Second).ToList();
        var earlierSeeds = earlier.Select(r => r.Seed).ToHashSet();
        Assert.All(Third, r => Assert.True(r.Seed >= HeldOutCorpus.Third.FirstSeed && r.Seed < HeldOutCorpus.Third.EndSeed && !earlierSeeds.Contains(r.Seed), r.Id));
        Assert.True(HeldOutCorpus.Second.EndSeed <= HeldOutCorpus.Third.FirstSeed, "seed ranges overlap");
        Assert.Empty(Third.Select(r => r.Id).Intersect(earlier.Select(r => r.Id)));
        Assert.All(Third, r => Assert.Equal(HeldOutCorpus.Third.Family, r.Family));
        Assert.Equal(3, HeldOutCorpus.Published.Select(d => d.Name).Distinct().Count());
        Assert.Equal(Third.Count, Third.Select(r => r.Id).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Draws))]
    public void TheDrawSpreadsOverTheWholeSpace(int index)
    {
        var drawn = index switch { 0 => Published, 1 => Second, _ => Third };
        Assert.True(drawn.Select(r => r.Architecture).Distinct().Count() >= 5, "architectures");
        Assert.Equal(Enum.GetValues<OptimizerKind>().Length, drawn.Select(r => r.Optimizer).Distinct().Count());
        Assert.True(drawn.Select(r => r.Activation).Distinct().Count() >= 3, "activations");
        Assert.True(drawn.Select(r => r.Normalization).Distinct().Count() == 3, "normalizations");
        Assert.True(drawn.Select(r => r.Dataset).Distinct().Count() >= 10, "datasets");
        Assert.Contains(drawn, r => r.Window >= 64);
        Assert.Contains(drawn, r => r.Window == 0);
        Assert.Contains(drawn, r => r.BatchSize == 8);
        Assert.Contains(drawn, r => r.BatchSize == 256);
        Assert.Contains(drawn, r => r.LearningRate < 1e-3);
        Assert.Contains(drawn, r => r.Optimizer is OptimizerKind.Sgd or OptimizerKind.Momentum && r.LearningRate > 0.5);
        Assert.Contains(drawn, r => r.Depth >= 12);
    }
}
