namespace GradientWatch.ML.Inference;

/// <summary>The ML.NET task a trained module serves; decides the loss, the label type and the output columns.</summary>
internal enum TorchModuleTask
{
    Regression,
    BinaryClassification,
    MulticlassClassification,
}
