namespace GradientWatch.Detection;

/// <summary>A detector: plain C# over step snapshots and its own history. Never touches tensors.</summary>
internal interface IGradientDetector
{
    /// <summary>
    /// True for detectors that need what is measured after the optimizer step (the update ratio). They run on the
    /// step's final snapshot, after the remedies, so remedies see their issues only through later steps' events.
    /// </summary>
    bool AfterStep => false;

    /// <summary>Inspects one step and appends any issues found.</summary>
    void Detect(StepSnapshot snapshot, List<DetectedIssue> issues);
}
