using GradientWatch.Corpus.Models;
using GradientWatch.Corpus.Runs;
using TorchSharp;

namespace GradientWatch.Corpus.Tests;

public sealed class ActivationProbeTests
{
    [Fact]
    public void EveryModelWithReLUUnitsReportsItsActivationsForTheDeadUnitLabel()
    {
        // Dead units are labelled from measured activations: the transformer's feed-forward ReLU layer was once left out,
        // so a transformer whose feed-forward units had died was labelled healthy.
        torch.manual_seed(1);
        var spec = new RunSpec { Dataset = "co2", Window = 8, Architecture = Architecture.Transformer, Depth = 3, Width = 4 };
        using var model = ModelFactory.Create(spec, inputs: 8, outputs: 1);
        var probe = Assert.IsAssignableFrom<IActivationProbe>(model);
        using var x = torch.randn(5, 8);
        var activations = probe.HiddenActivations(x);

        Assert.Equal(2, activations.Count); // one feed-forward layer per block
        Assert.All(activations, a => Assert.Equal(new long[] { 5 * 8, 2 * 4 }, a.shape)); // a row per example and position, a column per unit
        Assert.All(activations, a => Assert.True(a.min().item<float>() >= 0, "ReLU outputs"));
    }
}
