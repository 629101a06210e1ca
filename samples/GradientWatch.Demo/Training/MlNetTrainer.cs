using GradientWatch.Demo.Metrics;
using GradientWatch.ML;
using Microsoft.ML;

namespace GradientWatch.Demo.Training;

/// <summary>
/// Trains a spec in an ML.NET pipeline: the generated data as an <see cref="IDataView"/>, min-max normalization, and
/// GradientWatch's TorchSharp regression trainer, wrapped with <c>.WithGradientWatch(...)</c>.
/// </summary>
internal sealed class MlNetTrainer : IDemoTrainer
{
    public MlNetTrainer() => TorchSetup.ForSmallModels();

    public string Description => "ML.NET pipeline: NormalizeMinMax → Regression.Trainers.TorchModule, .WithGradientWatch()";

    public DemoRun Train(TrainingSpec spec, ITrainingObserver observer, string? eventFilePath, IMetricsAttachment metrics)
    {
        observer.RunStarted(spec);
        var recorder = new RunRecorder(spec, observer);
        var ml = new MLContext(seed: spec.Seed);
        var data = DemoDataView.Load(ml, spec.Data);
        GradientWatchFitSummary? summary = null;
        var pipeline = ml.Transforms.NormalizeMinMax(nameof(DemoRow.Features))
            .Append(ml.Regression.Trainers.TorchModule(spec.ModelName, spec.ModelFactory, new TorchModuleTrainerOptions
            {
                FeatureColumnName = nameof(DemoRow.Features),
                LabelColumnName = nameof(DemoRow.Label),
                Epochs = spec.Epochs,
                BatchSize = spec.BatchSize,
                Optimizer = spec.Optimizer == DemoOptimizer.Sgd ? TorchOptimizer.Sgd : TorchOptimizer.Adam,
                LearningRate = spec.LearningRate,
                Momentum = spec.Momentum,
                Seed = spec.Seed,
            }))
            .WithGradientWatch(w => PlainLoopTrainer.Configure(w, spec, recorder, eventFilePath, metrics), s => summary = s);
        pipeline.Fit(data);
        return recorder.Finish(summary?.Runs.FirstOrDefault()?.Watch);
    }
}
