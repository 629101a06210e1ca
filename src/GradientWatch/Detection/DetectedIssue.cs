namespace GradientWatch.Detection;

/// <summary>What a detector found on one step, before remedies and advice are attached.</summary>
internal sealed record DetectedIssue
{
    public required GradientIssueKind Kind { get; init; }

    public required string Trigger { get; init; }

    public required GradientEventSeverity Severity { get; init; }

    public IReadOnlyList<string> Layers { get; init; } = Array.Empty<string>();

    public double? ObservedValue { get; init; }

    public double? Threshold { get; init; }

    public required string Message { get; init; }

    public IReadOnlyDictionary<string, double> Details { get; init; } = GradientEvent.EmptyDetails;

    /// <summary>True for conditions that hold over many steps (vanishing, dead units, stalled), which are reported when they trip and then periodically.</summary>
    public bool Persistent { get; init; }
}
