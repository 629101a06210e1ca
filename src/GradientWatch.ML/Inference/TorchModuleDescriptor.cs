using GradientWatch.ML.Persistence;

namespace GradientWatch.ML.Inference;

/// <summary>Everything needed, besides the weights, to rebuild a trained module's transformer; stored as JSON in the model file.</summary>
internal sealed class TorchModuleDescriptor
{
    /// <summary>Format 1 kept the weights beside ML.NET's entries (an earlier preview); format 2 carries them inside ML.NET's own model.</summary>
    public const int CurrentFormat = 2;

    /// <summary>Most classes a multiclass module may have in a saved model (one output column each, see <see cref="MulticlassSlotsRow"/>).</summary>
    public const int MaxClasses = MulticlassSlotsRow.Slots;

    /// <summary>Most features a module may take.</summary>
    public const int MaxFeatures = 1 << 24;

    public int Format { get; set; } = CurrentFormat;

    public TorchModuleTask Task { get; set; }

    public string ModuleName { get; set; } = "";

    public int FeatureCount { get; set; }

    /// <summary>Number of classes (multiclass), else 1.</summary>
    public int ClassCount { get; set; } = 1;

    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The label key's values (multiclass), kept so that <c>PredictedLabel</c> maps back with <c>MapKeyToValue</c>; null when the label had none.</summary>
    public LabelKeyValues? LabelKeyValues { get; set; }

    /// <summary>How to call the module's factory again; null when it could not be recorded (see <see cref="FactoryProblem"/>).</summary>
    public FactoryReference? Factory { get; set; }

    /// <summary>Why the factory could not be recorded, when it could not.</summary>
    public string? FactoryProblem { get; set; }

    /// <summary>Assembly-qualified name of the trained module's type; used when it has a public constructor taking the feature (and class) count.</summary>
    public string? ModuleType { get; set; }

    /// <summary>Length of the weights that follow the descriptor.</summary>
    public long WeightsBytes { get; set; }

    /// <summary>SHA-256 of the weights, hex.</summary>
    public string WeightsSha256 { get; set; } = "";

    /// <summary>Throws an <see cref="InvalidDataException"/> naming the first field that cannot come from GradientWatch.ML.</summary>
    public void Validate(string what)
    {
        if (Format != CurrentFormat)
        {
            throw new InvalidDataException(Format > CurrentFormat
                ? $"{what} was written by a newer GradientWatch.ML (format {Format}); this version reads format {CurrentFormat}. Update GradientWatch.ML."
                : $"{what} has format {Format}, which this version does not read. Train and save the model again.");
        }

        if (!Enum.IsDefined(Task))
        {
            throw Invalid(what, "Task", Task.ToString());
        }

        if (string.IsNullOrWhiteSpace(ModuleName) || ModuleName.Length > 256)
        {
            throw Invalid(what, "ModuleName", ModuleName is null ? "null" : $"'{ModuleName}'");
        }

        if (FeatureCount < 1 || FeatureCount > MaxFeatures)
        {
            throw Invalid(what, "FeatureCount", $"{FeatureCount} (must be 1 to {MaxFeatures})");
        }

        bool multiclass = Task == TorchModuleTask.MulticlassClassification;
        if (multiclass ? ClassCount < 2 || ClassCount > MaxClasses : ClassCount != 1)
        {
            throw Invalid(what, "ClassCount", $"{ClassCount} (must be {(multiclass ? $"2 to {MaxClasses}" : "1")} for {Task})");
        }

        if (string.IsNullOrWhiteSpace(FeatureColumnName))
        {
            throw Invalid(what, "FeatureColumnName", "empty");
        }

        if (LabelKeyValues is { } keys && (!multiclass || !keys.IsValid(ClassCount)))
        {
            throw Invalid(what, "LabelKeyValues", $"{keys.Values?.Length ?? 0} value(s) of type '{keys.ItemType}' for {ClassCount} class(es)");
        }

        if (WeightsBytes < 0 || WeightsSha256 is null || WeightsSha256.Length != 64)
        {
            throw Invalid(what, "WeightsBytes/WeightsSha256", $"{WeightsBytes} bytes, hash '{WeightsSha256}'");
        }
    }

    private static InvalidDataException Invalid(string what, string field, string value)
        => new($"{what} is damaged: its descriptor's {field} is {value}.");
}
