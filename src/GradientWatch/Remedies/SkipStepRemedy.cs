namespace GradientWatch.Remedies;

/// <summary>Vetoes the optimizer step: the weights stay bit-for-bit unchanged and the gradients are cleared.</summary>
internal sealed class SkipStepRemedy : GradientRemedy
{
    public SkipStepRemedy(RemedyOptions options)
        : base("skip_step", options)
    {
    }

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        string why = cause is { } c ? c.ToString() : "trigger";
        context.VetoReason ??= $"skip_step ({why})";
        var issue = context.Issues.FirstOrDefault(i => i.Kind == cause);
        return Action($"skipped the optimizer step ({why}); weights unchanged, gradients cleared", cause, issue?.ObservedValue, issue?.Threshold, layers: issue?.Layers);
    }
}
