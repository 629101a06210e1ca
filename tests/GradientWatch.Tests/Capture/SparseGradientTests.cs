using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Capture;

/// <summary>Sparse gradients (<c>nn.Embedding(..., sparse: true)</c>) are measured exactly and never crash a step.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class SparseGradientTests
{
    [Fact]
    public void SparseEmbeddingGradientsAreMeasuredLikeTheirDenseForm()
    {
        torch.manual_seed(3);
        var embedding = nn.Embedding(100, 8, sparse: true);
        using var model = nn.Sequential(("emb", (nn.Module<Tensor, Tensor>)embedding), ("flat", nn.Flatten()), ("head", nn.Linear(8 * 5, 1)));
        using var optimizer = optim.SGD(model.parameters(), 0.1);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1).ClipGlobalNorm(1e-3).SkipNonFiniteSteps());

        // Index 7 appears twice in the batch: the sparse gradient holds it twice, uncoalesced.
        using var tokens = torch.tensor(new long[] { 7, 7, 3, 50, 99, 1, 2, 3, 4, 5 }).reshape(2, 5);
        for (int step = 0; step < 5; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = model.call(tokens).square().mean();
            loss.backward();
            using var grad = embedding.weight!.grad!;
            Assert.True(grad.is_sparse);
            var dense = TestModels.Values(grad.to_dense());
            double expectedNorm = Math.Sqrt(dense.Sum(v => v * v));

            var s = watch.Step(loss);
            var layer = s.Layers.Single(l => l.Name == "emb");
            Assert.False(layer.IsFrozen);
            Assert.Equal(800, layer.ElementCount);
            Assert.Equal(expectedNorm, layer.GradientNorm, 1e-5 * expectedNorm);
            Assert.Equal(dense.Count(v => v == 0) / 800.0, layer.ZeroFraction, 1e-12);
        }

        Assert.Equal(5, watch.StepCount);
    }

    [Fact]
    public void NonFiniteSparseGradientsAreDetectedAndTheStepSkipped()
    {
        torch.manual_seed(4);
        var embedding = nn.Embedding(10, 4, sparse: true);
        using var model = nn.Sequential(("emb", (nn.Module<Tensor, Tensor>)embedding), ("head", nn.Linear(4, 1)));
        using var optimizer = optim.SGD(model.parameters(), 0.1);
        using var watch = model.WatchGradients(optimizer, w => w.SkipNonFiniteSteps());
        using var tokens = torch.tensor(new long[] { 1, 2, 3 });
        using var before = embedding.weight!.detach().clone();
        optimizer.zero_grad();
        using (var loss = model.call(tokens).sum() * float.NaN)
        {
            loss.backward();
        }

        var s = watch.Step();
        Assert.True(s.HasNonFinite);
        Assert.True(s.StepSkipped);
        Assert.Equal(TestModels.Values(before), TestModels.Values(embedding.weight!.detach()));
    }
}
