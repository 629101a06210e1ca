namespace GradientWatch.Corpus.Data;

/// <summary>
/// A real dataset ready for training: standardized features (row-major, <see cref="Rows"/> × <see cref="Features"/>)
/// and targets (standardized values for regression, class indices for classification). Time-series windows are
/// stored the same way, one window per row, with <see cref="Features"/> = window length.
/// </summary>
internal sealed record Dataset(string Name, float[] X, float[] Y, int Rows, int Features, int Outputs, int Classes)
{
    /// <summary>True for classification (cross-entropy over <see cref="Classes"/>); false for regression (MSE).</summary>
    public bool IsClassification => Classes > 0;
}
