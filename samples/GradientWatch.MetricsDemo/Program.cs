using System.Diagnostics;
using System.Globalization;
using GradientWatch;
using TorchSharp;
using static TorchSharp.torch;

// A small deep MLP trained with GradientWatch, its metrics served for Prometheus on 127.0.0.1.
//   gradientwatch-metrics-demo [--port 9464] [--run-id ID] [--model NAME] [--mode normal|exploding]
//                              [--seconds 60] [--steps-per-second 20] [--linger 0] [--seed 1] [--halt-after 0]
//                              [--depth 8]
// --mode exploding multiplies the loss by 1e6, so the gradients are huge but finite on every step,
// the way a missing normalization or a bad loss scale makes them explode.
// --halt-after N (N > 0) adds the HaltAfter(N) remedy: training stops after N consecutive bad steps, and the
// process keeps serving its metrics (with the halt counted) until --seconds and --linger have passed.
// --depth sets the number of Linear layers (alternating Sigmoid and ReLU between them); at the default 8 the
// layers nearest the input occasionally trip the vanishing detector, at 4 they do not.
// The process trains for --seconds, keeps serving for --linger more seconds, then stops.
var opts = Args.Parse(args);
torch.manual_seed(opts.Seed);
torch.set_num_threads(1);

const int inputs = 8, width = 32;
int depth = opts.Depth;
var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
for (int i = 0; i < depth; i++)
{
    layers.Add(($"fc{i}", nn.Linear(i == 0 ? inputs : width, i == depth - 1 ? 1 : width)));
    if (i < depth - 1)
    {
        layers.Add(($"act{i}", i % 2 == 0 ? nn.Sigmoid() : nn.ReLU()));
    }
}

using var model = nn.Sequential(layers);
using var optimizer = optim.Adam(model.parameters(), 1e-3);
using var watch = model.WatchGradients(optimizer, w =>
{
    w.Configure(o =>
        {
            o.RunId = opts.RunId;
            o.ModelName = opts.Model;
            o.FullStatisticsInterval = 5;
            o.MetricsPeakWindow = TimeSpan.FromSeconds(10);
            o.ExportGradientHistograms = true;
        })
        .DetectExploding(d => d.GlobalNormThreshold = 1000)
        .DetectVanishing()
        .ClipGlobalNorm(100)
        .ExportMetrics(e => e.Port = opts.Port);
    if (opts.HaltAfter > 0)
    {
        w.HaltAfter(opts.HaltAfter);
    }
});

var x = torch.rand(256, inputs) * 4 - 2;
var y = (x[.., 0].sin() + x[.., 1] * x[.., 2]).unsqueeze(1);
double scale = opts.Mode == "exploding" ? 1e6 : 1.0;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gradientwatch-metrics-demo: run {watch.RunId}, mode {opts.Mode}, serving http://127.0.0.1:{opts.Port}/metrics"));

var clock = Stopwatch.StartNew();
var period = TimeSpan.FromSeconds(1.0 / opts.StepsPerSecond);
long step = 0;
while (clock.Elapsed.TotalSeconds < opts.Seconds)
{
    using (var scope = torch.NewDisposeScope())
    {
        optimizer.zero_grad();
        var loss = nn.functional.mse_loss(model.call(x), y) * scale;
        loss.backward();
        try
        {
            var s = watch.Step(loss);
            if (++step % 100 == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {s.Step}  loss {s.Loss:G4}  |g| {s.GlobalGradientNorm:E3}"));
            }
        }
        catch (GradientWatchHaltedException e)
        {
            Console.WriteLine($"halted at step {e.Snapshot.Step}: {e.Message}");
            Thread.Sleep(TimeSpan.FromSeconds(Math.Max(0, opts.Seconds - clock.Elapsed.TotalSeconds)));
            break;
        }
    }

    var next = period * step - clock.Elapsed;
    if (next > TimeSpan.Zero)
    {
        Thread.Sleep(next);
    }
}

Console.WriteLine($"trained {step} steps; serving for {opts.Linger} more seconds");
Thread.Sleep(TimeSpan.FromSeconds(opts.Linger));

internal sealed record Args(int Port, string? RunId, string Model, string Mode, double Seconds, double StepsPerSecond, double Linger, int Seed, int HaltAfter, int Depth)
{
    public static Args Parse(string[] args)
    {
        var a = new Args(9464, null, "deep-mlp", "normal", 60, 20, 0, 1, 0, 8);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string v = args[i + 1];
            a = args[i] switch
            {
                "--port" => a with { Port = int.Parse(v, CultureInfo.InvariantCulture) },
                "--run-id" => a with { RunId = v },
                "--model" => a with { Model = v },
                "--mode" => a with { Mode = v is "normal" or "exploding" ? v : throw new ArgumentException($"--mode must be normal or exploding, was '{v}'.") },
                "--seconds" => a with { Seconds = double.Parse(v, CultureInfo.InvariantCulture) },
                "--steps-per-second" => a with { StepsPerSecond = double.Parse(v, CultureInfo.InvariantCulture) },
                "--linger" => a with { Linger = double.Parse(v, CultureInfo.InvariantCulture) },
                "--seed" => a with { Seed = int.Parse(v, CultureInfo.InvariantCulture) },
                "--halt-after" => a with { HaltAfter = int.Parse(v, CultureInfo.InvariantCulture) },
                "--depth" => a with { Depth = int.Parse(v, CultureInfo.InvariantCulture) is >= 2 and <= 64 and int d ? d : throw new ArgumentException($"--depth must be between 2 and 64, was '{v}'.") },
                _ => throw new ArgumentException($"unknown option '{args[i]}'."),
            };
        }

        return a;
    }
}
