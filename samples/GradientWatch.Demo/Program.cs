using System.Globalization;
using GradientWatch;
using TorchSharp;
using static TorchSharp.torch;

// A deep MLP trained in a plain TorchSharp loop with GradientWatch on.
// Prints a per-layer gradient table every few steps.
int steps = args.Length > 0 && int.TryParse(args[0], out int s) && s > 0 ? s : 60;
const int every = 20;
torch.manual_seed(42);

const int inputs = 8, width = 64, depth = 8;
var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
for (int i = 0; i < depth; i++)
{
    layers.Add(($"fc{i}", nn.Linear(i == 0 ? inputs : width, i == depth - 1 ? 1 : width)));
    if (i < depth - 1)
    {
        layers.Add(($"act{i}", nn.Sigmoid()));
    }
}

using var model = nn.Sequential(layers);
using var optimizer = optim.Adam(model.parameters(), 1e-3);
using var watch = model.WatchGradients(optimizer, w => w.Configure(o => { o.FullStatisticsInterval = every; o.ModelName = "deep-mlp"; }));

var x = torch.rand(512, inputs) * 4 - 2;
var y = (x[.., 0].sin() + x[.., 1] * x[.., 2]).unsqueeze(1);
Console.WriteLine($"GradientWatch demo: {depth}-layer sigmoid MLP, {steps} steps, run {watch.RunId}");
for (int step = 1; step <= steps; step++)
{
    using var scope = torch.NewDisposeScope();
    optimizer.zero_grad();
    var loss = nn.functional.mse_loss(model.call(x), y);
    loss.backward();
    var snapshot = watch.Step(loss);
    if (snapshot.IsFullStatistics || step == steps)
    {
        var stats = snapshot.IsFullStatistics ? snapshot : watch.LatestFull!;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {snapshot.Step,4}  loss {snapshot.Loss,10:G4}  global |g| {snapshot.GlobalGradientNorm,10:E3}  lr {snapshot.LearningRates[0]:G3}"));
        Console.WriteLine($"  {"layer",-8} {"|g|",10} {"max|g|",10} {"std",10} {"zeros",7} {"|w|",9} {"|g|/|w|",10} {"|dw|/|w|",10}");
        foreach (var l in stats.Layers)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {l.Name,-8} {l.GradientNorm,10:E2} {l.MaxAbs,10:E2} {l.StandardDeviation,10:E2} {l.ZeroFraction,7:P1} {l.WeightNorm,9:F3} {l.GradientToWeightRatio,10:E2} {l.UpdateToWeightRatio,10:E2}"));
        }
    }
}

var last = watch.LatestFull!;
double ratio = last.Layers[0].GradientNorm / last.Layers[^1].GradientNorm;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first/last layer gradient-norm ratio: {ratio:E2} (far below 1 means gradients vanish toward the input)"));
