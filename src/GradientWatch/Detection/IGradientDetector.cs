namespace GradientWatch.Detection;

/// <summary>A detector: plain C# over step snapshots and its own history. Never touches tensors.</summary>
internal interface IGradientDetector
{
    /// <summary>Inspects one step and appends any issues found.</summary>
    void Detect(StepSnapshot snapshot, List<DetectedIssue> issues);
}
