using Microsoft.ML;

namespace GradientWatch.ML.Tests.Support;

/// <summary>The small pipelines and data sets of the save/load tests; the fresh child process rebuilds the same data.</summary>
public static class SaveLoadData
{
    public static IDataView For(MLContext ml, string task) => task switch
    {
        "regression" => SyntheticData.Regression(ml, 96, 61),
        "binary" => SyntheticData.Binary(ml, 96, 62),
        _ => SyntheticData.Multiclass(ml, 96, 63),
    };

    public static IEstimator<ITransformer> Pipeline(MLContext ml, string task, string name)
    {
        var options = new TorchModuleTrainerOptions { Epochs = 3, Seed = 5, LearningRate = 0.01 };
        return task switch
        {
            "regression" => Pipelines.Regression(ml, name, options),
            "binary" => Pipelines.Binary(ml, name, options),
            _ => Pipelines.Multiclass(ml, name, options),
        };
    }
}
