using GradientWatch.ML.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests;

public sealed class WithGradientWatchTests
{
    public static TheoryData<string> Tasks => new() { "regression", "binary", "multiclass" };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Watched_pipelines_report_per_layer_statistics_and_step_events(string task)
    {
        var ml = new MLContext(seed: 1);
        var (pipeline, data, rows) = Small(ml, task, epochs: 2);
        var steps = new List<StepSnapshot>();
        GradientWatchFitSummary? fromCallback = null;

        var model = pipeline
            .WithGradientWatch(watch => watch.OnStep(steps.Add), summary => fromCallback = summary)
            .Fit(data);

        long expectedSteps = 2 * (long)Math.Ceiling(rows / 32.0);
        var summary = model.GetGradientWatchSummary();
        Assert.NotNull(summary);
        Assert.Same(summary, fromCallback);
        var run = Assert.Single(summary.Runs);
        Assert.Equal(expectedSteps, run.Steps);
        Assert.Equal(expectedSteps, summary.Steps);
        Assert.Equal(expectedSteps, steps.Count);
        Assert.Equal(2, run.EpochLosses.Count);
        Assert.Equal(new[] { "fc1", "fc2", "head" }, summary.FinalLayerStatistics.Select(l => l.Name));
        Assert.All(summary.FinalLayerStatistics, layer =>
        {
            Assert.True(layer.HasFullStatistics);
            Assert.True(layer.GradientNorm > 0 && double.IsFinite(layer.GradientNorm), $"{layer.Name}: {layer.GradientNorm}");
            Assert.True(layer.WeightNorm > 0);
        });
        Assert.All(steps, s => Assert.Equal(3, s.Layers.Count));
        Assert.Equal(task switch { "regression" => "Regression", "binary" => "BinaryClassification", _ => "MulticlassClassification" }, run.Task);
    }

    [Fact]
    public void Exploding_configuration_raises_exploding_events_and_applies_the_configured_clipping()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 256, seed: 41);
        var options = new TorchModuleTrainerOptions { Epochs = 3, BatchSize = 32, Optimizer = TorchOptimizer.Sgd, LearningRate = 2.0, Seed = 3 };
        var events = new List<GradientEvent>();

        var model = Pipelines.Regression(ml, "test-exploding-mlp", options)
            .WithGradientWatch(watch => watch
                .DetectExploding(o => o.GlobalNormThreshold = 5.0)
                .ClipGlobalNorm(1.0, o => o.Trigger = RemedyTrigger.OnIssues(GradientIssueKind.Exploding))
                .OnEvent(events.Add))
            .Fit(data);

        var summary = model.GetGradientWatchSummary()!;
        Assert.True(summary.IssueCounts.GetValueOrDefault(GradientIssueKind.Exploding) > 0, "no exploding issue");
        Assert.True(summary.RemedyCounts.GetValueOrDefault("clip_global_norm") > 0, "no clipping");
        Assert.Contains(events, e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Exploding);
        Assert.Contains(events, e => e.Type == GradientEventType.Remedy && e.Remedy == "clip_global_norm");
        var last = summary.Runs[0].Watch!.LastStep!;
        Assert.True(last.GlobalGradientNormAfterRemedies <= 1.0 + 1e-6 || last.GlobalGradientNorm <= 5.0,
            $"after remedies {last.GlobalGradientNormAfterRemedies}, before {last.GlobalGradientNorm}");
    }

    [Fact]
    public void Observe_only_watching_does_not_change_the_trained_model()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 192, seed: 42);
        var options = Pipelines.BinaryOptions();
        options.Epochs = 4;

        var plain = Pipelines.Binary(ml, "test-observe-mlp", options).Fit(data);
        var watched = Pipelines.Binary(ml, "test-observe-mlp", options)
            .WithGradientWatch(watch => watch.Configure(o => o.FullStatisticsInterval = 1))
            .Fit(data);

        Assert.True(watched.GetGradientWatchSummary()!.Steps > 0);
        Assert.Equal(Columns.Floats(plain.Transform(data), "Score"), Columns.Floats(watched.Transform(data), "Score"));
    }

    [Fact]
    public void WithGradientWatch_keeps_the_transformer_type_so_Append_and_Fit_keep_working()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 64, seed: 43);
        var options = new TorchModuleTrainerOptions { Epochs = 1, Seed = 1 };
        EstimatorChain<TorchModulePredictionTransformer> chain = ml.Transforms.Concatenate("Features", "X1", "X2", "X3")
            .Append(ml.Regression.Trainers.TorchModule("test-typed-mlp", f => Pipelines.Mlp(f, 8, 1), options));

        IEstimator<TransformerChain<TorchModulePredictionTransformer>> watched = chain.WithGradientWatch();
        TransformerChain<TorchModulePredictionTransformer> fitted = watched.Fit(data);
        var appended = watched.Append(ml.Transforms.CopyColumns("Prediction", "Score")).Fit(data);

        Assert.NotNull(fitted.GetGradientWatchSummary());
        Assert.NotNull(appended.Transform(data).Schema.GetColumnOrNull("Prediction"));
    }

    [Fact]
    public void WithGradientWatch_without_arguments_watches_with_the_default_detectors()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 64, seed: 46);
        var options = new TorchModuleTrainerOptions { Epochs = 2, BatchSize = 16, Seed = 1 };

        var model = Pipelines.Regression(ml, "test-default-watch", options).WithGradientWatch().Fit(data);

        var summary = model.GetGradientWatchSummary();
        Assert.NotNull(summary);
        var run = Assert.Single(summary.Runs);
        Assert.Null(run.WatchError);
        Assert.NotNull(run.Watch);
        Assert.Equal(8, run.Watch.Steps);
        // The default FullStatisticsInterval (10): of 8 steps only the first measured everything; norms were measured on every step.
        Assert.Equal(1, run.Watch.LastFullStatistics!.Step);
        Assert.Equal(8, run.Watch.LastStep!.Step);
        Assert.All(run.Watch.LastStep!.Layers, l => Assert.True(l.GradientNorm > 0));
    }

    [Fact]
    public void Fit_without_a_watchable_trainer_fails_with_a_clear_message()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 64, seed: 44);
        var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2", "X3")
            .Append(ml.Regression.Trainers.Sdca(maximumNumberOfIterations: 2))
            .WithGradientWatch();

        var ex = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(data));

        Assert.Contains("ran no trainer that GradientWatch can watch", ex.Message);
        Assert.Contains("SdcaRegressionTrainer", ex.Message);
        Assert.Contains("ml.Regression.Trainers.TorchModule", ex.Message);
    }

    [Fact]
    public void Microsoft_ML_TorchSharp_trainers_are_refused_before_training_with_the_upstream_explanation()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 16, seed: 45);
        var upstream = new Microsoft.ML.TorchSharp.NasBert.TextClassificationTrainer();
        var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2", "X3")
            .Append(upstream)
            .WithGradientWatch(_ => { });

        var ex = Assert.Throws<NotSupportedException>(() => pipeline.Fit(data));

        Assert.Contains("TextClassificationTrainer", ex.Message);
        Assert.Contains("TorchSharp 0.107", ex.Message);
        Assert.Contains("empty handle", ex.Message);
        Assert.False(upstream.Fitted);
    }

    [Fact]
    public void Invalid_configuration_throws_when_the_pipeline_is_built()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Concatenate("Features", "X1");

        var ex = Assert.ThrowsAny<ArgumentException>(() => pipeline.WithGradientWatch(w => w.Configure(o => o.FullStatisticsInterval = 0)));

        Assert.Contains("FullStatisticsInterval", ex.Message);
    }

    private static (IEstimator<ITransformer> Pipeline, IDataView Data, int Rows) Small(MLContext ml, string task, int epochs)
    {
        const int rows = 96;
        return task switch
        {
            "regression" => (Pipelines.Regression(ml, options: new TorchModuleTrainerOptions { Epochs = epochs, Seed = 1, LearningRate = 0.01 }), SyntheticData.Regression(ml, rows, 51), rows),
            "binary" => (Pipelines.Binary(ml, options: new TorchModuleTrainerOptions { Epochs = epochs, Seed = 1, LearningRate = 0.01 }), SyntheticData.Binary(ml, rows, 52), rows),
            _ => (Pipelines.Multiclass(ml, options: new TorchModuleTrainerOptions { Epochs = epochs, Seed = 1, LearningRate = 0.01 }), SyntheticData.Multiclass(ml, rows, 53), rows),
        };
    }
}
