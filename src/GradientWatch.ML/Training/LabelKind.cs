namespace GradientWatch.ML.Training;

/// <summary>How the label column's values are read.</summary>
internal enum LabelKind
{
    Single,
    Boolean,
    Key,
}
