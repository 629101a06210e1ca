using GradientWatch.Demo.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Demo.Training;

/// <summary>
/// Trains a spec in a plain TorchSharp loop: mini-batches in a seeded permutation every epoch, mean squared error,
/// and <see cref="GradientWatcher.Step(Tensor)"/> in place of <c>optimizer.step()</c>.
/// </summary>
internal sealed class PlainLoopTrainer : IDemoTrainer
{
    public PlainLoopTrainer() => TorchSetup.ForSmallModels();

    public string Description => "plain TorchSharp loop";

    public DemoRun Train(TrainingSpec spec, ITrainingObserver observer, string? eventFilePath, IMetricsAttachment metrics)
    {
        observer.RunStarted(spec);
        var recorder = new RunRecorder(spec, observer);
        torch.manual_seed(spec.Seed);
        using var model = spec.ModelFactory(spec.Data.FeatureCount);
        using var optimizer = CreateOptimizer(spec, model);
        using var x = torch.tensor(spec.Data.Features.SelectMany(r => r).ToArray(), new long[] { spec.Data.Rows, spec.Data.FeatureCount });
        using var y = torch.tensor(spec.Data.Labels.ToArray());
        using var generator = new torch.Generator((ulong)spec.Seed);
        GradientWatchSummary summary;
        using (var watch = model.WatchGradients(optimizer, w => Configure(w, spec, recorder, eventFilePath, metrics)))
        {
            model.train();
            for (int epoch = 0; epoch < spec.Epochs; epoch++)
            {
                using var order = torch.randperm(spec.Data.Rows, generator: generator);
                for (int start = 0; start < spec.Data.Rows; start += spec.BatchSize)
                {
                    using var scope = torch.NewDisposeScope();
                    var index = order.narrow(0, start, Math.Min(spec.BatchSize, spec.Data.Rows - start));
                    optimizer.zero_grad();
                    var prediction = model.call(x.index_select(0, index)).reshape(-1);
                    var loss = nn.functional.mse_loss(prediction, y.index_select(0, index));
                    loss.backward();
                    watch.Step(loss);
                }
            }

            summary = watch.GetSummary();
        }

        return recorder.Finish(summary);
    }

    /// <summary>The watch configuration every trainer applies: the spec's, plus run naming, recording, events file and metrics.</summary>
    internal static void Configure(GradientWatchBuilder builder, TrainingSpec spec, RunRecorder recorder, string? eventFilePath, IMetricsAttachment metrics)
    {
        builder.Configure(o =>
        {
            o.RunId = spec.Name;
            o.ModelName = spec.ModelName;
            o.FullStatisticsInterval = 1;
            o.MaxDegreeOfParallelism = 1;
        });
        spec.ConfigureWatch(builder);
        recorder.Attach(builder);
        if (eventFilePath is not null)
        {
            builder.WriteEventsTo(eventFilePath);
        }

        metrics.Configure(builder);
    }

    private static optim.Optimizer CreateOptimizer(TrainingSpec spec, nn.Module<Tensor, Tensor> model) => spec.Optimizer switch
    {
        DemoOptimizer.Sgd => optim.SGD(model.parameters(), spec.LearningRate, momentum: spec.Momentum),
        _ => optim.Adam(model.parameters(), spec.LearningRate),
    };
}
