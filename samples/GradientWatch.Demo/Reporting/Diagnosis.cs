using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Reporting;

/// <summary>The end-of-run diagnosis: issues found, remedies applied, and advice.</summary>
internal sealed record Diagnosis
{
    /// <summary>The run diagnosed.</summary>
    public required DemoRun Run { get; init; }

    /// <summary>Issues by kind, most severe first.</summary>
    public required IReadOnlyList<IssueFinding> Issues { get; init; }

    /// <summary>Remedy actions by remedy name.</summary>
    public required IReadOnlyList<(string Remedy, int Count)> Remedies { get; init; }

    /// <summary>Distinct advice GradientWatch gave, in the order it was first given.</summary>
    public required IReadOnlyList<string> Advice { get; init; }

    /// <summary>A one-line verdict.</summary>
    public required string Verdict { get; init; }

    /// <summary>True when any issue of error severity or worse was found.</summary>
    public bool HasErrors => Issues.Any(i => i.Severity >= GradientEventSeverity.Error);
}
