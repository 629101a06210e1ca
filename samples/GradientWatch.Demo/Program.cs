using GradientWatch;
using GradientWatch.Demo.Metrics;
using GradientWatch.Demo.Scenarios;
using GradientWatch.Demo.Training;

TorchSharp.torch.set_num_threads(1);
var p = new ScenarioParameters { Seed = args.Length > 0 ? int.Parse(args[0]) : 1, Epochs = args.Length > 1 ? int.Parse(args[1]) : null };
foreach (var sc in ScenarioCatalog.Scenarios)
{
    foreach (var spec in sc.CreateRuns(p))
    {
        var run = new PlainLoopTrainer().Train(spec, NullTrainingObserver.Instance, null, NoMetricsAttachment.Instance);
        var kinds = string.Join(", ", run.Issues.GroupBy(e => $"{e.Kind}/{e.Severity}/{e.Trigger}").Select(g => $"{g.Key}×{g.Count()} first@{g.Min(e => e.Step)}"));
        var rem = string.Join(", ", run.Remedies.GroupBy(e => e.Remedy).Select(g => $"{g.Key}×{g.Count()}"));
        Console.WriteLine($"{spec.Name}: steps {run.Snapshots.Count} {run.Elapsed.TotalSeconds:F1}s loss {run.EpochLosses[0]:G3} -> {run.FinalLoss:G3} skipped {run.SkippedSteps} lr {run.Snapshots[^1].LearningRates[0]:G3}");
        Console.WriteLine($"   issues: {kinds}");
        Console.WriteLine($"   remedies: {rem}");
        foreach (var a in run.Events.Where(e => e.Advice != null).Select(e => e.Advice).Distinct().Take(2)) Console.WriteLine($"   advice: {a}");
    }
}
