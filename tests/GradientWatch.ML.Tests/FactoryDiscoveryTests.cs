using GradientWatch.ML.Tests.Support;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.ML.Tests;

/// <summary>How a saved model finds its module's factory again without any registration.</summary>
public sealed class FactoryDiscoveryTests
{
    [Fact]
    public void A_lambda_capturing_numbers_is_recorded_with_its_values()
    {
        int hidden = 6;
        float unused = 0.5f;
        var loaded = FitSaveLoad("test-captured-numbers", f => Pipelines.Mlp(f, hidden + (int)(unused * 0), 1), out var expected, out var data);

        Assert.Equal(expected, Columns.Floats(loaded.Transform(data), "Score"));
    }

    [Fact]
    public void A_static_method_is_recorded()
    {
        var loaded = FitSaveLoad("test-static-factory", StaticFactory, out var expected, out var data);

        Assert.Equal(expected, Columns.Floats(loaded.Transform(data), "Score"));
    }

    [Fact]
    public void A_module_type_with_a_public_feature_count_constructor_is_used_when_the_factory_cannot_be_recorded()
    {
        var holder = new object();
        var loaded = FitSaveLoad("test-module-type", f => holder is null ? null! : new TwoLayer(f), out var expected, out var data);

        Assert.Equal(expected, Columns.Floats(loaded.Transform(data), "Score"));
    }

    [Fact]
    public void More_classes_than_a_saved_model_supports_are_refused_before_training()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 260).Select(i => new MulticlassRow { X1 = i, X2 = -i, Label = $"c{i % 129}" }).ToArray();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "X1", "X2"))
            .Append(ml.MulticlassClassification.Trainers.TorchModule("test-many-classes", (f, k) => Pipelines.Mlp(f, 4, k), new TorchModuleTrainerOptions { Epochs = 1 }));

        var ex = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.Contains("has 129 classes", ex.Message);
        Assert.Contains("at most 128", ex.Message);
    }

    private static nn.Module<Tensor, Tensor> StaticFactory(int features) => Pipelines.Mlp(features, 5, 1);

    private static ITransformer FitSaveLoad(string name, Func<int, nn.Module<Tensor, Tensor>> factory, out float[] expected, out IDataView data)
    {
        var ml = new MLContext(seed: 1);
        data = SyntheticData.Regression(ml, 64, 81);
        var model = ml.Transforms.Concatenate("Features", "X1", "X2", "X3")
            .Append(ml.Regression.Trainers.TorchModule(name, factory, new TorchModuleTrainerOptions { Epochs = 2, Seed = 3 }))
            .Fit(data);
        expected = Columns.Floats(model.Transform(data), "Score");
        Assert.False(TorchModuleRegistry.IsRegistered(name));
        return SaveLoadTests.Reload(ml, model, data.Schema, plain: true);
    }

    /// <summary>A user module type with a public constructor taking the feature count.</summary>
    public sealed class TwoLayer : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> first;
        private readonly nn.Module<Tensor, Tensor> second;

        public TwoLayer(int features)
            : base(nameof(TwoLayer))
        {
            first = nn.Linear(features, 4);
            second = nn.Linear(4, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => second.call(nn.functional.relu(first.call(input)));
    }
}
