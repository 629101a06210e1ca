using System.Globalization;
using GradientWatch.ML.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.ML.Training;

/// <summary>
/// Runs the freshly created module once, before training, on the first rows (at most two), and compares its output
/// size per row with what the task needs: 1 for regression and binary classification, the label's key count for
/// multiclass classification. The probe runs in eval mode without gradients, so it changes no state (no batch-norm
/// statistics, no dropout draws) and the training that follows is the same as without it.
/// </summary>
internal static class OutputShapeCheck
{
    public static void Run(nn.Module<Tensor, Tensor> module, TorchModuleTask task, string moduleName, TrainingColumns columns,
        TrainingData data, Device device, string labelColumnName)
    {
        int rows = Math.Min(2, data.Rows);
        int f = data.FeatureCount;
        int expected = task == TorchModuleTask.MulticlassClassification ? columns.ClassCount : 1;
        long[] shape;
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = torch.tensor(data.Features.AsSpan(0, rows * f).ToArray(), new long[] { rows, f }, ScalarType.Float32).to(device);
            shape = module.call(x).shape;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidOperationException(
                $"The module '{moduleName}' failed on its first input, a batch of shape [{rows}, {f}] ({f} features from the column the trainer reads): {ex.Message} " +
                $"Check that the module's first layer takes {f} inputs.",
                ex);
        }
        finally
        {
            module.train(wasTraining);
        }

        long perRow = PerRow(shape, rows, task);
        if (perRow == expected)
        {
            return;
        }

        string shapeText = "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
        string need = task switch
        {
            TorchModuleTask.MulticlassClassification =>
                $"a multiclass module must return one logit per class, and the label column '{labelColumnName}' has {expected} classes (key count {expected})",
            TorchModuleTask.BinaryClassification => "a binary classification module must return 1 value per row (the logit)",
            _ => "a regression module must return 1 value per row",
        };
        string got = perRow < 0
            ? $"returned shape {shapeText} for a batch of {rows} row(s)"
            : $"returns {perRow} value(s) per row (shape {shapeText} for a batch of {rows} row(s))";
        throw new InvalidOperationException(
            $"The module '{moduleName}' {got}, but {need}. Expected {expected} output(s) per row, got {(perRow < 0 ? "an unusable shape" : perRow.ToString(CultureInfo.InvariantCulture))}. " +
            $"Change the module's output layer to {expected} output(s).");
    }

    /// <summary>Values per row for the shapes the trainer accepts: [rows] (1), [rows, k] (k); -1 for anything else.</summary>
    private static long PerRow(long[] shape, int rows, TorchModuleTask task)
    {
        if (shape.Length == 2 && shape[0] == rows)
        {
            return shape[1];
        }

        if (shape.Length == 1 && shape[0] == rows && task != TorchModuleTask.MulticlassClassification)
        {
            return 1;
        }

        return -1;
    }
}
