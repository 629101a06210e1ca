using System.Globalization;

namespace GradientWatch.Remedies;

/// <summary>Unit-wise adaptive gradient clipping (AGC, Brock et al. 2021): ‖G_i‖ ≤ λ·max(‖W_i‖, ε) per output unit.</summary>
internal sealed class AdaptiveClipRemedy : GradientRemedy
{
    private readonly double clipping;
    private readonly double epsilon;

    public AdaptiveClipRemedy(double clipping, double epsilon, RemedyOptions options)
        : base("clip_adaptive", options)
    {
        this.clipping = clipping;
        this.epsilon = epsilon;
    }

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        long units = context.Editor.AdaptiveClip(clipping, epsilon);
        if (units == 0)
        {
            return null;
        }

        return Action(
            string.Create(CultureInfo.InvariantCulture, $"adaptive clipping (λ={clipping:G3}) scaled the gradients of {units} unit(s)"),
            ScalingCause(context, cause),
            units,
            clipping,
            new Dictionary<string, double> { ["units_clipped"] = units });
    }
}
