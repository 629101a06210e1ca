namespace GradientWatch.ML;

/// <summary>What a <see cref="GradientWatchCatalog"/> trainer does with a training row whose features (or regression label) hold NaN or ±Infinity.</summary>
public enum InvalidFeatureHandling
{
    /// <summary>Stop with an <see cref="InvalidOperationException"/> that names the column and the row. The default.</summary>
    Error,

    /// <summary>Leave the row out of training; the number of skipped rows is logged through <c>MLContext.Log</c>.</summary>
    SkipRow,
}
