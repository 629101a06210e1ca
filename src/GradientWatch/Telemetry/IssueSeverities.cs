namespace GradientWatch.Telemetry;

/// <summary>
/// The severity each built-in detector raises its issues with. The issue series start at 0 for exactly these
/// kind × severity pairs, so the exporter does not carry a series per severity a kind never has; an issue with
/// another severity still counts, in a series created when it first happens.
/// </summary>
internal static class IssueSeverities
{
    /// <summary>The severity the built-in detection raises <paramref name="kind"/> with.</summary>
    public static GradientEventSeverity Of(GradientIssueKind kind) => kind switch
    {
        GradientIssueKind.Exploding or GradientIssueKind.NonFinite => GradientEventSeverity.Error,
        _ => GradientEventSeverity.Warning,
    };
}
