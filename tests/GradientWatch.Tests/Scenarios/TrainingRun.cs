using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Scenarios;

/// <summary>Runs a small deterministic training loop with a watcher and records what happened.</summary>
internal static class TrainingRun
{
    public sealed record Result(IReadOnlyList<double> Losses, IReadOnlyList<StepSnapshot> Snapshots, IReadOnlyList<GradientEvent> Events, GradientWatchSummary Summary);

    /// <summary>Regression data: y = sin(x0) + x1·x2 − x3² / 2, with x uniform in [−2, 2].</summary>
    public static (Tensor X, Tensor Y) Data(int rows = 256, int features = 4, int seed = 0)
    {
        var generator = new torch.Generator((ulong)seed);
        var x = (torch.rand(new long[] { rows, features }, generator: generator) * 4) - 2;
        var y = (x[.., 0].sin() + (x[.., 1] * x[.., 2]) - (x[.., 3].square() / 2)).unsqueeze(1);
        return (x, y);
    }

    public static Result Train(
        nn.Module<Tensor, Tensor> model,
        optim.Optimizer optimizer,
        int steps,
        Action<GradientWatchBuilder>? configure = null,
        Action<int, nn.Module<Tensor, Tensor>>? beforeStep = null,
        int seed = 0)
    {
        var (x, y) = Data(seed: seed);
        var losses = new List<double>();
        var snapshots = new List<StepSnapshot>();
        using var watch = model.WatchGradients(optimizer, configure);
        for (int i = 1; i <= steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            beforeStep?.Invoke(i, model);
            var s = watch.Step(loss);
            losses.Add(s.Loss ?? double.NaN);
            snapshots.Add(s);
        }

        x.Dispose();
        y.Dispose();
        return new Result(losses, snapshots, watch.History, watch.GetSummary());
    }
}
