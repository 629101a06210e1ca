using GradientWatch;
using GradientWatch.ML;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

// Trains y = sum(x) in an ML.NET pipeline watched by GradientWatch, with metrics served on 127.0.0.1:<port>.
// At step 40 it prints SERVING and waits (up to 2 minutes) for a line on stdin, so a scraper can read /metrics
// while the watcher lives; then it finishes training and prints the model's error.
int port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var random = new Random(1);
var rows = Enumerable.Range(0, 256).Select(_ =>
{
    var features = Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble()).ToArray();
    return new Row { Features = features, Label = features.Sum() };
}).ToList();

var ml = new MLContext(seed: 1);
var data = ml.Data.LoadFromEnumerable(rows);
GradientWatchFitSummary? summary = null;
bool paused = false;
var pipeline = ml.Transforms.NormalizeMinMax("Features")
    .Append(ml.Regression.Trainers.TorchModule("mlp",
        features => nn.Sequential(("fc1", nn.Linear(features, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 1))),
        new TorchModuleTrainerOptions { Epochs = 30, BatchSize = 32, Optimizer = TorchOptimizer.Adam, LearningRate = 0.01, Seed = 1 }))
    .WithGradientWatch(
        watch => watch
            .ClipGlobalNorm(10.0)
            .ExportMetrics(e => e.Port = port)
            .OnStep(step =>
            {
                if (!paused && step.Step >= 40)
                {
                    paused = true;
                    Console.WriteLine($"SERVING http://127.0.0.1:{port}/metrics");
                    Task.Run(Console.In.ReadLine).Wait(TimeSpan.FromMinutes(2));
                }
            }),
        s => summary = s);
var model = pipeline.Fit(data);
var metrics = ml.Regression.Evaluate(model.Transform(data));
double mean = rows.Average(r => r.Label);
double labelStd = Math.Sqrt(rows.Average(r => (r.Label - mean) * (r.Label - mean)));
Console.WriteLine($"PIPELINE steps={summary!.Steps} rmse={metrics.RootMeanSquaredError:R} label_std={labelStd:R}");

internal sealed class Row
{
    [VectorType(4)]
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}
