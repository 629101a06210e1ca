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

    /// <summary>Target values per row (1 for classification and single-output regression).</summary>
    public int TargetsPerRow => Y.Length / Rows;

    /// <summary>The given rows, in the given order, as a dataset of their own.</summary>
    public Dataset Select(int[] rows)
    {
        int d = Features;
        int t = TargetsPerRow;
        var x = new float[rows.Length * d];
        var y = new float[rows.Length * t];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(X, rows[i] * d, x, i * d, d);
            Array.Copy(Y, rows[i] * t, y, i * t, t);
        }

        return this with { X = x, Y = y, Rows = rows.Length };
    }
}
