namespace GradientWatch.ML.Inference;

/// <summary>Everything needed, besides the weights, to rebuild a trained module's transformer; stored as JSON in the model file.</summary>
internal sealed class TorchModuleDescriptor
{
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    public TorchModuleTask Task { get; set; }

    public string ModuleName { get; set; } = "";

    public int FeatureCount { get; set; }

    /// <summary>Number of classes (multiclass), else 1.</summary>
    public int ClassCount { get; set; } = 1;

    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The label key's values (multiclass), kept so that <c>PredictedLabel</c> maps back with <c>MapKeyToValue</c>; null when the label had none.</summary>
    public LabelKeyValues? LabelKeyValues { get; set; }
}
