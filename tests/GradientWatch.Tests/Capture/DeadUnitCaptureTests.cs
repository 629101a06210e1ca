using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Capture;

public sealed class DeadUnitCaptureTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DeadReLUsShowAsUnitsWithAZeroGradientRow(bool torchOpsPath)
    {
        torch.manual_seed(3);
        using var model = TestModels.Mlp(4, 8, 1, depth: 2, () => nn.ReLU());
        var first = (TorchSharp.Modules.Linear)model.named_modules().Single(m => m.name == "0").module;
        using (torch.no_grad())
        {
            first.bias!.narrow(0, 0, 6).fill_(-100.0); // 6 of 8 hidden units never activate
        }

        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 2));
        watch.Capture.ForceTorchOps = torchOpsPath;
        using var x = torch.randn(16, 4);
        using var loss = model.call(x).square().mean();
        loss.backward();
        var snapshot = watch.Step();

        // Layer 0: 6 of its 8 weight rows and 6 of its 8 bias entries are zero. Layer 2 (8 → 1): one live output unit.
        Assert.Equal(12.0 / 16, snapshot.FindLayer("0")!.DeadUnitFraction, 12);
        Assert.Equal(0.0, snapshot.FindLayer("2")!.DeadUnitFraction, 12);

        optimizer.zero_grad();
        using var loss2 = model.call(x).square().mean();
        loss2.backward();
        Assert.True(double.IsNaN(watch.Step().FindLayer("0")!.DeadUnitFraction), "measured on full-statistics steps only");
    }

    [Fact]
    public void EmbeddingRowsAreTokensNotUnits()
    {
        torch.manual_seed(3);
        using var model = nn.Sequential(("embed", (nn.Module<Tensor, Tensor>)nn.Embedding(100, 4)), ("head", nn.Linear(4, 1)));
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.Configure(o => o.FullStatisticsInterval = 1));
        using var tokens = torch.tensor(new long[] { 1, 2, 3 });
        using var loss = model.call(tokens).square().mean();
        loss.backward();
        var snapshot = watch.Step();

        Assert.True(double.IsNaN(snapshot.FindLayer("embed")!.DeadUnitFraction), "97 of 100 rows are zero because their tokens are not in the batch");
        Assert.True(snapshot.FindLayer("embed")!.ZeroFraction > 0.9);
        Assert.Equal(0.0, snapshot.FindLayer("head")!.DeadUnitFraction, 12);
    }
}
