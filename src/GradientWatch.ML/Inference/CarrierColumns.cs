namespace GradientWatch.ML.Inference;

/// <summary>
/// Names of the columns and custom-mapping contracts of a trained module's transformer chain. The columns exist only
/// inside the chain (its last step drops them), so they never reach the user's schema.
/// </summary>
internal static class CarrierColumns
{
    public const string Features = "GradientWatch.Features";

    public const string Key = "GradientWatch.ModelKey";

    public const string Model = "GradientWatch.Model";

    public const string PredictedIndex = "GradientWatch.PredictedIndex";

    public const string ScorePrefix = "GradientWatch.Score";

    public const string KeyContract = "GradientWatch.ModelKey.v2";

    public const string RegressionContract = "GradientWatch.Regression.v2";

    public const string BinaryContract = "GradientWatch.Binary.v2";

    public const string MulticlassContract = "GradientWatch.Multiclass.v2";

    /// <summary>The lookup value of a chain that predicts with a module in memory (its weights are written only when the model is saved).</summary>
    public const string LiveMarker = "GWTM2:live";

    public static string Score(int slot) => ScorePrefix + slot.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every column the chain of a <paramref name="task"/> module adds and drops again.</summary>
    public static string[] All(TorchModuleTask task)
        => task == TorchModuleTask.MulticlassClassification
            ? new[] { Features, Key, Model, PredictedIndex }.Concat(Enumerable.Range(0, MulticlassSlotsRow.Slots).Select(Score)).ToArray()
            : [Features, Key, Model];
}
