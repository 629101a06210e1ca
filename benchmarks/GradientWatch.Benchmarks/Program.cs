using System.Diagnostics;
using GradientWatch;
using GradientWatch.Benchmarks;
using GradientWatch.Capture;
using GradientWatch.Statistics;
using TorchSharp;
var data = new float[5_270_000];
var rng = new Random(1);
for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() - 0.5) * 1e-3f;
for (int rep = 0; rep < 0; rep++)
{
    foreach (var (name, f) in new (string, Func<double>)[] {
        ("sum", () => FusedReduction.Sum(data)),
        ("norm", () => FusedReduction.NormOnly(data).SumOfSquares),
        ("full", () => FusedReduction.Full(data).Sum),
    })
    {
        var ts = new List<double>();
        for (int k = 0; k < 200; k++) { if (k == 100) ts.Clear(); var s = Stopwatch.GetTimestamp(); f(); ts.Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds); }
        double med = Stats.Median(ts);
        Console.WriteLine($"{name,-6} {med:F3} ms  {data.Length * 4 / med / 1e6:F1} GB/s");
    }
}
var target = new float[data.Length];
for (int rep = 0; rep < 3; rep++)
foreach (int bits in new[] { 512, 256 })
{
    FusedReduction.MaxVectorBits = bits;
    foreach (var (name, f) in new (string, Func<double>)[] {
        ("sum", () => FusedReduction.Sum(data)),
        ("norm", () => FusedReduction.NormOnly(data).SumOfSquares),
        ("full", () => FusedReduction.Full(data).Sum),
        ("copy", () => FusedReduction.CopyAndNormOnly(data, target).Sum),
        ("dist", () => FusedReduction.SquaredDistance(data, target)),
    })
    {
        var ts = new List<double>();
        for (int k = 0; k < 200; k++) { if (k == 100) ts.Clear(); var s = Stopwatch.GetTimestamp(); f(); ts.Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds); }
        double med = Stats.Median(ts);
        Console.WriteLine($"{bits} {name,-6} {med:F3} ms  {data.Length * 4 / med / 1e6:F1} GB/s");
    }
}
