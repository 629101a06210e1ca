using GradientWatch.ML.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests;

public sealed class SaveLoadTests
{
    public static TheoryData<string> Tasks => new() { "regression", "binary", "multiclass" };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Save_and_load_round_trip_gives_identical_predictions(string task)
    {
        var ml = new MLContext(seed: 1);
        var (pipeline, data) = Small(ml, task, $"test-roundtrip-{task}");
        var model = pipeline.Fit(data);
        var before = model.Transform(data);

        var path = Path.Combine(Path.GetTempPath(), $"gw-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveWithTorchModules(model, data.Schema, path);
            var fresh = new MLContext(seed: 99);
            var loaded = fresh.Model.LoadWithTorchModules(path, out var schema);
            var after = loaded.Transform(data);

            Assert.Equal(data.Schema.Count, schema.Count);
            Assert.Equal(Columns.Floats(before, "Score"), Columns.Floats(after, "Score"));
            if (task == "binary")
            {
                Assert.Equal(Columns.Floats(before, "Probability"), Columns.Floats(after, "Probability"));
                Assert.True(fresh.BinaryClassification.Evaluate(after).AreaUnderRocCurve > 0.5);
            }
            else if (task == "multiclass")
            {
                Assert.Equal(Columns.Texts(before, "PredictedColor"), Columns.Texts(after, "PredictedColor"));
                Assert.Equal(
                    ml.MulticlassClassification.Evaluate(before).MacroAccuracy,
                    fresh.MulticlassClassification.Evaluate(after).MacroAccuracy);
            }
            else
            {
                Assert.Equal(ml.Regression.Evaluate(before).RSquared, fresh.Regression.Evaluate(after).RSquared);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_weights_travel_inside_the_single_model_file()
    {
        var ml = new MLContext(seed: 1);
        var (pipeline, data) = Small(ml, "regression", "test-single-file");
        var model = pipeline.Fit(data);
        using var stream = new MemoryStream();

        ml.Model.SaveWithTorchModules(model, data.Schema, stream);

        stream.Position = 0;
        using var zip = new System.IO.Compression.ZipArchive(stream);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("GradientWatch/TorchModules.json", names);
        Assert.Contains("GradientWatch/TorchModule_000.weights", names);
        Assert.Contains(names, n => n.StartsWith("TransformerChain/", StringComparison.Ordinal));
    }

    [Fact]
    public void Loaded_models_work_with_a_prediction_engine_and_can_be_saved_again()
    {
        var ml = new MLContext(seed: 1);
        var (pipeline, data) = Small(ml, "binary", "test-engine");
        var model = pipeline.Fit(data);
        var loaded = Reload(ml, model, data.Schema);
        var reloaded = Reload(ml, loaded, data.Schema);

        var engine = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(reloaded);
        var sample = new BinaryRow { X1 = 0.1f, X2 = -0.2f };
        var expected = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(model).Predict(sample);
        var actual = engine.Predict(sample);

        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.Probability, actual.Probability);
        Assert.Equal(expected.PredictedLabel, actual.PredictedLabel);
    }

    [Fact]
    public void Loading_a_file_saved_with_plain_Model_Save_explains_that_the_weights_are_missing()
    {
        var ml = new MLContext(seed: 1);
        var (pipeline, data) = Small(ml, "regression", "test-plain-save");
        var model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;

        var ex = Assert.Throws<InvalidOperationException>(() => ml.Model.LoadWithTorchModules(stream, out _));

        Assert.Contains("holds no weights", ex.Message);
        Assert.Contains("SaveWithTorchModules", ex.Message);
    }

    [Fact]
    public void Plain_Model_Load_explains_how_to_load_the_weights()
    {
        var ml = new MLContext(seed: 1);
        var (pipeline, data) = Small(ml, "regression", "test-plain-load");
        var model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.SaveWithTorchModules(model, data.Schema, stream);
        stream.Position = 0;

        var ex = Assert.ThrowsAny<Exception>(() => ml.Model.Load(stream, out _));

        // ML.NET invokes loaders by reflection, so the message is on the innermost exception.
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        Assert.IsType<InvalidOperationException>(inner);
        Assert.Contains("ml.Model.LoadWithTorchModules", inner.Message);
    }

    [Fact]
    public void Loading_without_the_module_registration_says_what_to_register()
    {
        var ml = new MLContext(seed: 1);
        const string name = "test-unregistered-module";
        var (pipeline, data) = Small(ml, "regression", name);
        var model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.SaveWithTorchModules(model, data.Schema, stream);
        Assert.True(TorchModuleRegistry.Unregister(name));
        stream.Position = 0;

        var ex = Assert.Throws<InvalidOperationException>(() => ml.Model.LoadWithTorchModules(stream, out _));

        Assert.Contains($"TorchModuleRegistry.Register(\"{name}\"", ex.Message);
    }

    [Fact]
    public void Loading_into_a_different_architecture_names_the_module()
    {
        var ml = new MLContext(seed: 1);
        const string name = "test-changed-architecture";
        var (pipeline, data) = Small(ml, "regression", name);
        var model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.SaveWithTorchModules(model, data.Schema, stream);
        TorchModuleRegistry.Register(name, f => Pipelines.Mlp(f, 5, 1));
        stream.Position = 0;

        var ex = Assert.Throws<InvalidOperationException>(() => ml.Model.LoadWithTorchModules(stream, out _));

        Assert.Contains($"'{name}'", ex.Message);
        Assert.Contains("do not fit", ex.Message);
    }

    private static ITransformer Reload(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.SaveWithTorchModules(model, schema, stream);
        stream.Position = 0;
        return ml.Model.LoadWithTorchModules(stream, out _);
    }

    private static (IEstimator<ITransformer> Pipeline, IDataView Data) Small(MLContext ml, string task, string name)
    {
        var options = new TorchModuleTrainerOptions { Epochs = 3, Seed = 5, LearningRate = 0.01 };
        return task switch
        {
            "regression" => (Pipelines.Regression(ml, name, options), SyntheticData.Regression(ml, 96, 61)),
            "binary" => (Pipelines.Binary(ml, name, options), SyntheticData.Binary(ml, 96, 62)),
            _ => (Pipelines.Multiclass(ml, name, options), SyntheticData.Multiclass(ml, 96, 63)),
        };
    }
}
