using GradientWatch;
using TorchSharp;
using static TorchSharp.torch;

// Learns y = sum(x) with a small MLP, watched by GradientWatch, and prints the loss before and after.
torch.manual_seed(1);
var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("act", nn.ReLU()), ("fc2", nn.Linear(16, 1)));
var optimizer = optim.Adam(model.parameters(), lr: 0.01);
using var x = torch.randn(64, 4);
using var y = x.sum(1, keepdim: true);
int issues = 0;
using var watch = model.WatchGradients(optimizer, w => w.ClipGlobalNorm(10.0).OnEvent(_ => issues++));
float first = 0, last = 0;
for (int step = 0; step < 150; step++)
{
    optimizer.zero_grad();
    using var loss = nn.functional.mse_loss(model.call(x), y);
    loss.backward();
    StepSnapshot snapshot = watch.Step(loss);
    if (step == 0)
    {
        first = loss.item<float>();
    }

    last = loss.item<float>();
    if (!double.IsFinite(snapshot.GlobalGradientNorm))
    {
        throw new InvalidOperationException($"non-finite gradient norm at step {snapshot.Step}");
    }
}

Console.WriteLine($"PLAIN runtime={Environment.Version} steps={watch.GetSummary().Steps} first_loss={first:R} last_loss={last:R} events={issues}");
