using GradientWatch.ML.Inference;
using static TorchSharp.torch;

namespace GradientWatch.ML.Training;

/// <summary>The usual loss of each task.</summary>
internal static class LossFunctions
{
    public static Func<Tensor, Tensor, Tensor> Default(TorchModuleTask task) => task switch
    {
        TorchModuleTask.Regression => static (output, target) => nn.functional.mse_loss(output, target),
        TorchModuleTask.BinaryClassification => static (output, target) => nn.functional.binary_cross_entropy_with_logits(output, target),
        _ => static (output, target) => nn.functional.cross_entropy(output, target),
    };
}
