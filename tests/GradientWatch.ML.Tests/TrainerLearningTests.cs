using GradientWatch.ML.Tests.Support;
using Microsoft.ML;

namespace GradientWatch.ML.Tests;

public sealed class TrainerLearningTests
{
    [Fact]
    public void Regression_pipeline_learns_a_smooth_nonlinear_function()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Regression(ml, 600, seed: 11);
        var test = SyntheticData.Regression(ml, 200, seed: 12);

        var model = Pipelines.Regression(ml).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.Regression.Evaluate(scored);

        Assert.True(metrics.RSquared > 0.9, $"R² = {metrics.RSquared}");
        Assert.Equal(Columns.Floats(scored, "Score"), Columns.Floats(scored, "Prediction"));
    }

    [Fact]
    public void Binary_pipeline_learns_a_circle()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Binary(ml, 600, seed: 21);
        var test = SyntheticData.Binary(ml, 300, seed: 22);

        var model = Pipelines.Binary(ml).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.BinaryClassification.Evaluate(scored);

        Assert.True(metrics.AreaUnderRocCurve > 0.9, $"AUC = {metrics.AreaUnderRocCurve}");
        Assert.True(metrics.Accuracy > 0.8, $"accuracy = {metrics.Accuracy}");
        Assert.All(Columns.Floats(scored, "Probability"), p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void Multiclass_pipeline_learns_three_blobs_and_maps_keys_back()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Multiclass(ml, 450, seed: 31);
        var test = SyntheticData.Multiclass(ml, 150, seed: 32);

        var model = Pipelines.Multiclass(ml).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);

        Assert.True(metrics.MacroAccuracy > 0.9, $"macro accuracy = {metrics.MacroAccuracy}");
        var predicted = Columns.Texts(scored, "PredictedColor");
        Assert.Equal(new[] { "blue", "green", "red" }, predicted.Distinct().Order().ToArray());
        var scores = Columns.Floats(scored, "Score");
        Assert.Equal(150 * 3, scores.Length);
        for (int row = 0; row < 150; row++)
        {
            Assert.Equal(1f, scores.Skip(row * 3).Take(3).Sum(), 3);
        }
    }

    [Fact]
    public void Progress_is_reported_per_epoch_through_MLContext_Log_and_the_callback()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (log)
            {
                log.Add(e.Message);
            }
        };
        var epochs = new List<TorchModuleEpochInfo>();
        var options = Pipelines.RegressionOptions();
        options.Epochs = 3;
        options.OnEpochCompleted = epochs.Add;
        var data = SyntheticData.Regression(ml, 100, seed: 13);

        Pipelines.Regression(ml, options: options).Fit(data);

        Assert.Equal(new[] { 1, 2, 3 }, epochs.Select(e => e.Epoch));
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.Loss) && e.Loss > 0));
        Assert.Equal(new long[] { 4, 8, 12 }, epochs.Select(e => e.Steps));
        Assert.True(epochs[2].Loss < epochs[0].Loss);
        Assert.Contains(log, m => m.Contains("Epoch 1/3: loss", StringComparison.Ordinal));
        Assert.Contains(log, m => m.Contains("Epoch 3/3: loss", StringComparison.Ordinal));
    }

    [Fact]
    public void Same_seed_gives_identical_models()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Binary(ml, 200, seed: 23);
        var options = Pipelines.BinaryOptions();
        options.Epochs = 3;

        var first = Pipelines.Binary(ml, options: options).Fit(data).Transform(data);
        var second = Pipelines.Binary(ml, options: options).Fit(data).Transform(data);

        Assert.Equal(Columns.Floats(first, "Score"), Columns.Floats(second, "Score"));
    }
}
