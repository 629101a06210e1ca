using System.Globalization;

namespace GradientWatch.Remedies;

/// <summary>Stops training after N consecutive bad steps with a <see cref="GradientWatchHaltedException"/>.</summary>
internal sealed class HaltRemedy : GradientRemedy
{
    private readonly int consecutiveBadSteps;
    private int bad;

    public HaltRemedy(int consecutiveBadSteps, RemedyOptions options)
        : base("halt", options) => this.consecutiveBadSteps = consecutiveBadSteps;

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        if (++bad < consecutiveBadSteps)
        {
            return null;
        }

        string reason = string.Create(CultureInfo.InvariantCulture, $"halted training after {bad} consecutive bad steps ({cause}): {context.Issues.FirstOrDefault()?.Message}");
        context.HaltReason = reason;
        context.VetoReason ??= "halt";
        return Action(reason, cause, bad, consecutiveBadSteps);
    }

    protected override RemedyAction? Observe(RemedyContext context, bool triggered)
    {
        if (!triggered)
        {
            bad = 0;
        }

        return null;
    }
}
