using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.ML.Tests.Support;

/// <summary>The three test pipelines: featurization/normalization, the TorchModule trainer, and a transform appended after it.</summary>
public static class Pipelines
{
    public static nn.Module<Tensor, Tensor> Mlp(int features, int hidden, int outputs)
        => nn.Sequential(
            ("fc1", nn.Linear(features, hidden)),
            ("act1", nn.Tanh()),
            ("fc2", nn.Linear(hidden, hidden)),
            ("act2", nn.Tanh()),
            ("head", nn.Linear(hidden, outputs)));

    public static TorchModuleTrainerOptions RegressionOptions() => new() { Epochs = 40, BatchSize = 32, LearningRate = 0.01, Seed = 7 };

    public static TorchModuleTrainerOptions BinaryOptions() => new() { Epochs = 30, BatchSize = 32, LearningRate = 0.02, Seed = 7 };

    public static TorchModuleTrainerOptions MulticlassOptions() => new() { Epochs = 15, BatchSize = 32, LearningRate = 0.02, Seed = 7 };

    public static IEstimator<ITransformer> Regression(MLContext ml, string moduleName = "test-regression-mlp", TorchModuleTrainerOptions? options = null)
        => ml.Transforms.Concatenate("Features", "X1", "X2", "X3")
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Regression.Trainers.TorchModule(moduleName, f => Mlp(f, 32, 1), options ?? RegressionOptions()))
            .Append(ml.Transforms.CopyColumns("Prediction", "Score"));

    public static IEstimator<ITransformer> Binary(MLContext ml, string moduleName = "test-binary-mlp", TorchModuleTrainerOptions? options = null)
        => ml.Transforms.Concatenate("Features", "X1", "X2")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.TorchModule(moduleName, f => Mlp(f, 16, 1), options ?? BinaryOptions()))
            .Append(ml.Transforms.CopyColumns("Confidence", "Probability"));

    public static IEstimator<ITransformer> Multiclass(MLContext ml, string moduleName = "test-multiclass-mlp", TorchModuleTrainerOptions? options = null)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "X1", "X2"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.TorchModule(moduleName, (f, k) => Mlp(f, 16, k), options ?? MulticlassOptions()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedColor", "PredictedLabel"));
}
