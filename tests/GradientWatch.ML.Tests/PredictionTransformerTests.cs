using GradientWatch.ML.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests;

public sealed class PredictionTransformerTests
{
    [Fact]
    public void Regression_trainer_works_with_permutation_feature_importance_and_exposes_its_module()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Regression(ml, 256, 71);
        var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2", "X3")
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Regression.Trainers.TorchModule("test-pfi-regression", f => Pipelines.Mlp(f, 32, 1), Pipelines.RegressionOptions()));

        TransformerChain<TorchModulePredictionTransformer> model = pipeline.Fit(data);
        TorchModulePredictionTransformer trainer = model.LastTransformer;
        var transformed = model.Transform(data);
        var importance = ml.Regression.PermutationFeatureImportance(trainer, transformed, permutationCount: 2);

        Assert.Equal("Features", trainer.FeatureColumnName);
        Assert.Equal(3, trainer.Model.FeatureCount);
        Assert.Equal(3, ((VectorDataViewType)trainer.FeatureColumnType).Size);
        Assert.Equal(3, importance.Length);
        // y = sin(2·x1) + 0.5·x2² − 0.3·x3: shuffling x1 or x2 hurts far more than shuffling x3.
        double[] drops = importance.Select(m => -m.RSquared.Mean).ToArray();
        Assert.True(ml.Regression.Evaluate(transformed).RSquared > 0.5, "the model did not learn");
        Assert.True(drops[0] > 0.1 && drops[1] > 0.1, $"R² drops {string.Join(", ", drops)}");
        Assert.True(drops[2] < Math.Min(drops[0], drops[1]), $"R² drops {string.Join(", ", drops)}");
    }

    [Fact]
    public void Binary_trainer_works_with_permutation_feature_importance_and_evaluate()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 300).Select(i =>
        {
            var r = new Random(i);
            float x1 = (float)(r.NextDouble() * 2 - 1), x2 = (float)(r.NextDouble() * 2 - 1), noise = (float)(r.NextDouble() * 2 - 1);
            return new NoisyBinaryRow { X1 = x1, X2 = x2, Noise = noise, Label = x1 * x1 + x2 * x2 < 0.5f };
        }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2", "Noise")
            .Append(ml.BinaryClassification.Trainers.TorchModule("test-pfi-binary", f => Pipelines.Mlp(f, 16, 1),
                new TorchModuleTrainerOptions { Epochs = 40, BatchSize = 32, LearningRate = 0.02, Seed = 7 }));

        var model = pipeline.Fit(data);
        var transformed = model.Transform(data);
        var importance = ml.BinaryClassification.PermutationFeatureImportance(model.LastTransformer, transformed, permutationCount: 2);

        Assert.True(ml.BinaryClassification.Evaluate(transformed).AreaUnderRocCurve > 0.9, "the model did not learn");
        double[] drops = importance.Select(m => -m.AreaUnderRocCurve.Mean).ToArray();
        Assert.Equal(3, drops.Length);
        Assert.True(drops[0] > 0.1 && drops[1] > 0.1, $"AUC drops {string.Join(", ", drops)}");
        Assert.True(drops[2] < 0.5 * Math.Min(drops[0], drops[1]), $"AUC drops {string.Join(", ", drops)}");
    }

    [Fact]
    public void Multiclass_trainer_is_a_prediction_transformer_with_the_class_count()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Multiclass(ml, 90, 72);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "X1", "X2"))
            .Append(ml.MulticlassClassification.Trainers.TorchModule("test-typed-multiclass", (f, k) => Pipelines.Mlp(f, 8, k), Pipelines.MulticlassOptions()));

        var model = pipeline.Fit(data);
        var importance = ml.MulticlassClassification.PermutationFeatureImportance(model.LastTransformer, model.Transform(data));

        Assert.Equal(3, model.LastTransformer.Model.ClassCount);
        Assert.Equal(2, importance.Length);
        var score = model.Transform(data).Schema["Score"];
        Assert.Equal(3, ((VectorDataViewType)score.Type).Size);
    }

    private sealed class NoisyBinaryRow
    {
        public float X1 { get; set; }

        public float X2 { get; set; }

        public float Noise { get; set; }

        public bool Label { get; set; }
    }
}
