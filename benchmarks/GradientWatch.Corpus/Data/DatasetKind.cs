namespace GradientWatch.Corpus.Data;

/// <summary>The shape of a dataset: rows of features, or windows of a univariate time series.</summary>
internal enum DatasetKind
{
    /// <summary>Rows of features with a regression or classification target.</summary>
    Tabular,

    /// <summary>Sliding windows of a time series; the target is the next value.</summary>
    Series,
}
