namespace GradientWatch.ML.Inference;

/// <summary>ML.NET's annotation kind names (its own constants are internal).</summary>
internal static class AnnotationKinds
{
    public const string KeyValues = "KeyValues";

}
