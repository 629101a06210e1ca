namespace GradientWatch.Remedies;

/// <summary>What a remedy did on one step.</summary>
internal sealed record RemedyAction
{
    public required string Remedy { get; init; }

    public required string Message { get; init; }

    public GradientIssueKind? Cause { get; init; }

    public double? ObservedValue { get; init; }

    public double? Threshold { get; init; }

    public IReadOnlyList<string> Layers { get; init; } = Array.Empty<string>();

    public IReadOnlyDictionary<string, double> Details { get; init; } = GradientEvent.EmptyDetails;
}
