namespace GradientWatch.Corpus.Runs;

/// <summary>A GradientWatch event as the corpus records it (no TorchSharp types, easy to score).</summary>
internal sealed record ObservedEvent(long Step, bool IsRemedy, GradientIssueKind? Kind, GradientEventSeverity Severity, string? Trigger, string? Remedy, string? Advice, string Message)
{
    public static ObservedEvent From(GradientEvent e) => new(e.Step, e.Type == GradientEventType.Remedy, e.Kind, e.Severity, e.Trigger, e.Remedy, e.Advice, e.Message);
}
