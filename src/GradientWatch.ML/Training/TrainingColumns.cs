using GradientWatch.ML.Inference;
using Microsoft.ML;

namespace GradientWatch.ML.Training;

/// <summary>The validated feature and label columns of the training data.</summary>
internal sealed record TrainingColumns(
    DataViewSchema.Column Features,
    DataViewSchema.Column Label,
    int FeatureCount,
    LabelKind LabelKind,
    int ClassCount,
    LabelKeyValues? LabelKeyValues);
