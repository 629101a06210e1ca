using GradientWatch;
using TorchSharp;
using static TorchSharp.torch;

// Usage: GradientWatch.Tests.EventWriter <event-file> [max-steps]
// Trains a tiny model, injecting a NaN every other step, with skip-step on; prints "EMITTED <count>"
// after each event reaches the event file, until killed or max-steps is reached.
string path = args[0];
int maxSteps = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
torch.manual_seed(1);
using var model = nn.Sequential(("fc", (nn.Module<Tensor, Tensor>)nn.Linear(4, 4)), ("act", nn.Tanh()), ("out", nn.Linear(4, 1)));
using var optimizer = optim.SGD(model.parameters(), 0.01);
long emitted = 0;
using var watch = model.WatchGradients(optimizer, w => w
    .WriteEventsTo(path)
    .SkipNonFiniteSteps()
    .OnEvent(_ => Console.Out.WriteLine($"EMITTED {++emitted}")));
Console.Out.Flush();
var x = torch.randn(16, 4);
for (int step = 1; step <= maxSteps; step++)
{
    using var scope = torch.NewDisposeScope();
    optimizer.zero_grad();
    var loss = model.call(x).square().mean();
    loss.backward();
    if (step % 2 == 0)
    {
        using var g = model.parameters().First().grad!;
        using (torch.no_grad())
        {
            g[0, 0] = torch.tensor(float.NaN);
        }
    }

    watch.Step(loss);
    Console.Out.Flush();
}
