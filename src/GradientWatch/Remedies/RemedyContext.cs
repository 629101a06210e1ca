using GradientWatch.Detection;

namespace GradientWatch.Remedies;

/// <summary>One step as seen by the remedy pipeline.</summary>
internal sealed class RemedyContext
{
    public RemedyContext(StepSnapshot snapshot, IReadOnlyList<DetectedIssue> issues, IGradientEditor editor)
    {
        Snapshot = snapshot;
        Issues = issues;
        Editor = editor;
    }

    public StepSnapshot Snapshot { get; }

    public long Step => Snapshot.Step;

    public IReadOnlyList<DetectedIssue> Issues { get; }

    public IGradientEditor Editor { get; }

    /// <summary>Set by a remedy to stop the optimizer step.</summary>
    public string? VetoReason { get; set; }

    /// <summary>Set by the halt remedy to stop training after the step's events are emitted.</summary>
    public string? HaltReason { get; set; }

    public bool HasIssue(GradientIssueKind kind)
    {
        foreach (var issue in Issues)
        {
            if (issue.Kind == kind)
            {
                return true;
            }
        }

        return false;
    }
}
