using System.Diagnostics;
using GradientWatch.ML.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests;

public sealed class SaveLoadTests
{
    public static TheoryData<string> Tasks => new() { "regression", "binary", "multiclass" };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Plain_Model_Save_and_Load_in_a_fresh_process_give_bit_identical_predictions(string task)
    {
        var ml = new MLContext(seed: 1);
        var data = SaveLoadData.For(ml, task);
        var model = SaveLoadData.Pipeline(ml, task, $"test-fresh-{task}").Fit(data);
        string expected = Predictions.Bits(model.Transform(data), task);
        var path = Path.Combine(Path.GetTempPath(), $"gw-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);

            string fresh = FreshProcess.Predict(task, path);

            Assert.Equal(expected, fresh);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Plain_Load_restores_the_schema_and_the_metrics(string task)
    {
        var ml = new MLContext(seed: 1);
        var data = SaveLoadData.For(ml, task);
        var model = SaveLoadData.Pipeline(ml, task, $"test-metrics-{task}").Fit(data);
        var before = model.Transform(data);

        var after = Reload(ml, model, data.Schema, plain: true).Transform(data);

        Assert.Equal(Describe(before.Schema), Describe(after.Schema));
        Assert.Equal(Columns.Floats(before, "Score"), Columns.Floats(after, "Score"));
        switch (task)
        {
            case "regression":
                Assert.Equal(ml.Regression.Evaluate(before).RSquared, ml.Regression.Evaluate(after).RSquared);
                break;
            case "binary":
                Assert.Equal(ml.BinaryClassification.Evaluate(before).AreaUnderRocCurve, ml.BinaryClassification.Evaluate(after).AreaUnderRocCurve);
                break;
            default:
                Assert.Equal(ml.MulticlassClassification.Evaluate(before).MacroAccuracy, ml.MulticlassClassification.Evaluate(after).MacroAccuracy);
                Assert.Equal(Columns.Texts(before, "PredictedColor"), Columns.Texts(after, "PredictedColor"));
                break;
        }
    }

    [Fact]
    public void The_saved_file_holds_the_weights_and_a_save_after_changing_them_holds_the_new_ones()
    {
        var ml = new MLContext(seed: 1);
        var data = SaveLoadData.For(ml, "regression");
        var model = SaveLoadData.Pipeline(ml, "regression", "test-changed-weights").Fit(data);
        var trainer = ((IEnumerable<ITransformer>)model).OfType<TorchModulePredictionTransformer>().Single();
        var trained = Columns.Floats(model.Transform(data), "Score");

        using (TorchSharp.torch.no_grad())
        {
            foreach (var p in trainer.Model.Module.parameters())
            {
                p.fill_(0.25f);
            }
        }

        var expected = Columns.Floats(model.Transform(data), "Score");
        var loaded = Reload(ml, model, data.Schema, plain: true);

        Assert.Equal(expected, Columns.Floats(loaded.Transform(data), "Score"));
        Assert.NotEqual(trained, expected);
    }

    [Fact]
    public void LoadWithTorchModules_gives_back_prediction_transformers_with_their_module()
    {
        var ml = new MLContext(seed: 1);
        var data = SaveLoadData.For(ml, "multiclass");
        var model = SaveLoadData.Pipeline(ml, "multiclass", "test-typed-load").Fit(data);

        var loaded = Reload(ml, model, data.Schema, plain: false);

        Assert.True(Flatten(loaded).OfType<TorchModulePredictionTransformer>().Count() == 1, string.Join(", ", Flatten(loaded).Select(t => t.GetType().Name)) + " / " + loaded.GetType());
        var trainer = Flatten(loaded).OfType<TorchModulePredictionTransformer>().Single();
        Assert.DoesNotContain(Flatten(loaded), t => t.GetType().Name.StartsWith("CustomMapping", StringComparison.Ordinal));
        Assert.Equal("test-typed-load", trainer.Model.ModuleName);
        Assert.Equal(2, trainer.Model.FeatureCount);
        Assert.Equal(3, trainer.Model.ClassCount);
        Assert.Equal(3, trainer.Model.Module.parameters().Count(p => p.shape.Length == 2));
        Assert.Equal(Columns.Floats(model.Transform(data), "Score"), Columns.Floats(loaded.Transform(data), "Score"));
    }

    [Fact]
    public void Loaded_models_work_with_a_prediction_engine_and_can_be_saved_again()
    {
        var ml = new MLContext(seed: 1);
        var data = SaveLoadData.For(ml, "binary");
        var model = SaveLoadData.Pipeline(ml, "binary", "test-engine").Fit(data);
        var loaded = Reload(ml, model, data.Schema, plain: true);
        var reloaded = Reload(ml, loaded, data.Schema, plain: true);

        var sample = new BinaryRow { X1 = 0.1f, X2 = -0.2f };
        var expected = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(model).Predict(sample);
        var actual = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(reloaded).Predict(sample);

        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.Probability, actual.Probability);
        Assert.Equal(expected.PredictedLabel, actual.PredictedLabel);
    }

    [Fact]
    public void A_factory_that_captures_an_object_is_named_at_load_and_a_registration_makes_it_load()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 64, 65);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.Message);
        var sizes = new List<int> { 8 };
        var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2", "X3")
            .Append(ml.Regression.Trainers.TorchModule("test-capturing-factory", f => Pipelines.Mlp(f, sizes[0], 1), new TorchModuleTrainerOptions { Epochs = 1, Seed = 1 }));
        var model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        Assert.True(messages.Any(m => m.Contains("cannot be recorded", StringComparison.Ordinal) && m.Contains("sizes", StringComparison.Ordinal)),
            string.Join("\n", messages.Where(m => m.Contains("TorchModule(", StringComparison.Ordinal))));

        stream.Position = 0;
        var ex = Assert.ThrowsAny<Exception>(() => ml.Model.LoadWithTorchModules(stream, out _));
        Assert.Contains("'sizes' (List`1)", Innermost(ex).Message);
        Assert.Contains("TorchModuleRegistry.Register(\"test-capturing-factory\"", Innermost(ex).Message);

        TorchModuleRegistry.Register("test-capturing-factory", f => Pipelines.Mlp(f, 8, 1));
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        Assert.Equal(Columns.Floats(model.Transform(data), "Score"), Columns.Floats(loaded.Transform(data), "Score"));
    }

    [Fact]
    public void Loading_into_a_different_architecture_names_the_tensor_and_both_shapes()
    {
        var ml = new MLContext(seed: 1);
        const string name = "test-changed-architecture";
        var data = SaveLoadData.For(ml, "regression");
        var model = SaveLoadData.Pipeline(ml, "regression", name).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        TorchModuleRegistry.Register(name, f => Pipelines.Mlp(f, 5, 1));
        stream.Position = 0;

        var ex = Assert.Throws<InvalidDataException>(() => ml.Model.LoadWithTorchModules(stream, out _));

        Assert.Contains($"module '{name}'", ex.Message);
        Assert.Contains("fc1.weight' was saved as Float32 [32, 3]", ex.Message);
        Assert.Contains("Float32 [5, 3]", ex.Message);
    }

    internal static ITransformer Reload(MLContext ml, ITransformer model, DataViewSchema schema, bool plain)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        stream.Position = 0;
        return plain ? new MLContext(seed: 7).Model.Load(stream, out _) : new MLContext(seed: 7).Model.LoadWithTorchModules(stream, out _);
    }

    internal static IEnumerable<ITransformer> Flatten(ITransformer model)
        => model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    internal static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static string[] Describe(DataViewSchema schema)
        => schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type} [{string.Join(", ", c.Annotations.Schema.Select(a => a.Name))}]").ToArray();
}
