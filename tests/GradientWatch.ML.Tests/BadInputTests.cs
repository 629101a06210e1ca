using GradientWatch.ML.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests;

public sealed class BadInputTests
{
    private static readonly TorchModuleTrainerOptions OneEpoch = new() { Epochs = 1, Seed = 1 };

    private readonly MLContext ml = new(seed: 1);

    [Fact]
    public void Missing_features_column_is_named_when_fitting_the_trainer_and_the_pipeline()
    {
        var data = SyntheticData.Regression(ml, 8, 1);
        var trainer = Regression();

        var direct = Assert.Throws<ArgumentException>(() => trainer.Fit(data));
        var chained = Assert.Throws<ArgumentException>(() => ml.Transforms.CopyColumns("Y", "Label").Append(trainer).Fit(data));

        foreach (var ex in new[] { direct, chained })
        {
            Assert.Contains("features column 'Features' was not found", ex.Message);
            Assert.Contains("'X1'", ex.Message);
        }
    }

    [Fact]
    public void Features_of_the_wrong_type_are_named()
    {
        var data = ml.Data.LoadFromEnumerable(new[] { new DoubleVectorRow { Features = [1, 2, 3], Label = 1 } });

        var ex = Assert.Throws<ArgumentException>(() => Regression().Fit(data));

        Assert.Contains("features column 'Features' must be a known-size vector of Single", ex.Message);
        Assert.Contains("Double", ex.Message);
    }

    [Fact]
    public void Scalar_features_are_refused_in_the_pipeline_schema_check()
    {
        var data = SyntheticData.Regression(ml, 8, 1);
        var pipeline = ml.Transforms.CopyColumns("Features", "X1").Append(Regression());

        var ex = Assert.Throws<ArgumentException>(() => pipeline.Fit(data));

        Assert.Contains("features column 'Features' must be a known-size vector of Single", ex.Message);
    }

    [Fact]
    public void Features_of_unknown_size_are_named()
    {
        var data = ml.Data.LoadFromEnumerable(new[] { new VariableVectorRow { Features = [1, 2, 3], Label = 1 } });

        var direct = Assert.Throws<ArgumentException>(() => Regression().Fit(data));
        var chained = Assert.Throws<ArgumentException>(() => ml.Transforms.CopyColumns("Y", "Label").Append(Regression()).Fit(data));

        Assert.Contains("features column 'Features' is a vector of unknown size", direct.Message);
        Assert.Contains("features column 'Features' is a vector of unknown size", chained.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_features_fail_with_the_column_and_row(float bad)
    {
        var data = ml.Data.LoadFromEnumerable(Rows(bad, badRow: 3));

        var ex = Assert.Throws<InvalidOperationException>(() => Regression().Fit(data));

        Assert.Contains("features column 'Features' holds NaN or Infinity in row 3", ex.Message);
        Assert.Contains("InvalidFeatureHandling.SkipRow", ex.Message);
    }

    [Fact]
    public void Non_finite_features_can_be_skipped()
    {
        var data = ml.Data.LoadFromEnumerable(Rows(float.NaN, badRow: 3));
        var rows = new List<long>();
        var options = OneEpoch.Clone();
        options.InvalidFeatureHandling = InvalidFeatureHandling.SkipRow;
        options.OnEpochCompleted = e => rows.Add(e.Rows);
        var log = new List<string>();
        ml.Log += (_, e) => log.Add(e.Message);

        var model = ml.Regression.Trainers.TorchModule("test-bad-input", f => Pipelines.Mlp(f, 4, 1), options).Fit(data);

        Assert.Equal(new long[] { 9 }, rows);
        Assert.Contains(log, m => m.Contains("Skipped 1 row(s)", StringComparison.Ordinal));
        Assert.NotNull(model.Transform(data).Schema.GetColumnOrNull("Score"));
    }

    [Fact]
    public void Non_finite_regression_label_is_named()
    {
        var rows = Rows(1f, badRow: -1);
        rows[4].Label = float.NaN;

        var ex = Assert.Throws<InvalidOperationException>(() => Regression().Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.Contains("label column 'Label' holds NaN in row 4", ex.Message);
    }

    [Fact]
    public void Missing_label_column_is_named()
    {
        var data = ml.Data.LoadFromEnumerable(Rows(1f, badRow: -1));
        var options = OneEpoch.Clone();
        options.LabelColumnName = "Target";

        var ex = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.TorchModule("test-bad-input", f => Pipelines.Mlp(f, 4, 1), options).Fit(data));

        Assert.Contains("label column 'Target' was not found", ex.Message);
    }

    [Fact]
    public void Binary_label_outside_zero_and_one_is_named()
    {
        var rows = Enumerable.Range(0, 6).Select(i => new FloatLabelRow { Features = [i, 1], Label = i % 2 }).ToArray();
        rows[5].Label = 0.5f;
        var trainer = ml.BinaryClassification.Trainers.TorchModule("test-bad-input", f => Pipelines.Mlp(f, 4, 1), OneEpoch);

        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.Contains("label column 'Label' holds 0.5 in row 5, outside the allowed range: 0 or 1", ex.Message);
    }

    [Fact]
    public void Multiclass_label_that_is_not_a_key_is_refused_with_the_fix()
    {
        var data = SyntheticData.Multiclass(ml, 9, 1);
        var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2")
            .Append(ml.MulticlassClassification.Trainers.TorchModule("test-bad-input", (f, k) => Pipelines.Mlp(f, 4, k), OneEpoch));

        var ex = Assert.Throws<ArgumentException>(() => pipeline.Fit(data));

        Assert.Contains("label column 'Label' must be a key type", ex.Message);
        Assert.Contains("MapValueToKey(\"Label\")", ex.Message);
    }

    [Fact]
    public void Multiclass_label_outside_the_key_range_is_named()
    {
        var data = SyntheticData.Multiclass(ml, 9, 1);
        var known = ml.Data.LoadFromEnumerable(new[] { new MulticlassRow { Label = "red" }, new MulticlassRow { Label = "green" } });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: ml.Transforms.SelectColumns("Label").Fit(known).Transform(known))
            .Append(ml.Transforms.Concatenate("Features", "X1", "X2"))
            .Append(ml.MulticlassClassification.Trainers.TorchModule("test-bad-input", (f, k) => Pipelines.Mlp(f, 4, k), OneEpoch));

        var ex = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(data));

        Assert.Contains("label column 'Label' holds a missing key (0) in row 2, outside the allowed range: a key from 1 to 2", ex.Message);
    }

    [Fact]
    public void Module_with_the_wrong_output_shape_is_named()
    {
        var data = ml.Data.LoadFromEnumerable(Rows(1f, badRow: -1));
        var trainer = ml.Regression.Trainers.TorchModule("test-bad-shape", f => Pipelines.Mlp(f, 4, 3), OneEpoch);

        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));

        Assert.Contains("module 'test-bad-shape' returns 3 value(s) per row (shape [2, 3]", ex.Message);
        Assert.Contains("Expected 1 output(s) per row, got 3", ex.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Multiclass_module_whose_output_size_differs_from_the_class_count_fails_before_training(int outputs)
    {
        var data = SyntheticData.Multiclass(ml, 30, 7);
        int epochs = 0;
        var options = new TorchModuleTrainerOptions { Epochs = 1, Seed = 1, OnEpochCompleted = _ => epochs++ };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "X1", "X2"))
            .Append(ml.MulticlassClassification.Trainers.TorchModule("test-class-count", (f, _) => Pipelines.Mlp(f, 4, outputs), options));

        var ex = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(data));

        Assert.Contains($"returns {outputs} value(s) per row", ex.Message);
        Assert.Contains("label column 'Label' has 3 classes", ex.Message);
        Assert.Contains($"Expected 3 output(s) per row, got {outputs}", ex.Message);
        Assert.Equal(0, epochs);
    }

    [Fact]
    public void Binary_module_with_two_logits_is_refused_before_training()
    {
        var data = SyntheticData.Binary(ml, 20, 8);
        var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2")
            .Append(ml.BinaryClassification.Trainers.TorchModule("test-binary-two", f => Pipelines.Mlp(f, 4, 2), OneEpoch));

        var ex = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(data));

        Assert.Contains("binary classification module must return 1 value per row", ex.Message);
        Assert.Contains("Expected 1 output(s) per row, got 2", ex.Message);
    }

    [Fact]
    public void Module_whose_first_layer_does_not_take_the_feature_count_is_explained()
    {
        var data = ml.Data.LoadFromEnumerable(Rows(1f, badRow: -1));
        var trainer = ml.Regression.Trainers.TorchModule("test-wrong-inputs", _ => Pipelines.Mlp(5, 4, 1), OneEpoch);

        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));

        Assert.Contains("module 'test-wrong-inputs' failed on its first input, a batch of shape [2, 3]", ex.Message);
        Assert.Contains("takes 3 inputs", ex.Message);
    }

    [Fact]
    public void Invalid_options_name_the_option()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            ml.Regression.Trainers.TorchModule("test-bad-input", f => Pipelines.Mlp(f, 4, 1), new TorchModuleTrainerOptions { Epochs = 0 }));

        Assert.Contains("TorchModuleTrainerOptions.Epochs", ex.Message);
    }

    [Theory]
    [InlineData("LearningRate", 1e39)]
    [InlineData("LearningRate", 1e300)]
    [InlineData("LearningRate", double.PositiveInfinity)]
    [InlineData("LearningRate", 0.0)]
    [InlineData("WeightDecay", 1e39)]
    [InlineData("WeightDecay", double.NaN)]
    [InlineData("WeightDecay", -1.0)]
    public void Rates_beyond_float32_or_not_positive_name_the_option(string option, double value)
    {
        var options = option == "LearningRate" ? new TorchModuleTrainerOptions { LearningRate = value } : new TorchModuleTrainerOptions { WeightDecay = value };
        var ex = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.TorchModule("test-bad-input", f => Pipelines.Mlp(f, 4, 1), options));
        Assert.Contains("TorchModuleTrainerOptions." + option, ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_module_name_is_refused(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.TorchModule(name, f => Pipelines.Mlp(f, 4, 1), OneEpoch));
        Assert.Contains("module name must not be empty", ex.Message);
    }

    private IEstimator<ITransformer> Regression()
        => ml.Regression.Trainers.TorchModule("test-bad-input", f => Pipelines.Mlp(f, 4, 1), OneEpoch);

    private static VectorRow[] Rows(float bad, int badRow)
        => Enumerable.Range(0, 10).Select(i => new VectorRow { Features = [i == badRow ? bad : i, 1, 2], Label = i }).ToArray();
}
