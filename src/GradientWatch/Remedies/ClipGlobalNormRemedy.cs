using System.Globalization;

namespace GradientWatch.Remedies;

/// <summary>Scales all gradients so that the global norm is at most the limit, reusing the measured norm (no second pass).</summary>
internal sealed class ClipGlobalNormRemedy : GradientRemedy
{
    private readonly double maxNorm;

    public ClipGlobalNormRemedy(double maxNorm, RemedyOptions options)
        : base("clip_global_norm", options) => this.maxNorm = maxNorm;

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        double norm = context.Editor.CurrentGlobalNorm;
        if (!double.IsFinite(norm) || norm <= maxNorm)
        {
            return null;
        }

        double scale = ClipGlobalNormTo(context, norm, maxNorm);
        return Action(
            string.Create(CultureInfo.InvariantCulture, $"clipped global gradient norm {norm:G4} to {maxNorm:G4} (scale {scale:G4})"),
            ScalingCause(context, cause),
            norm,
            maxNorm,
            new Dictionary<string, double> { ["scale"] = scale, ["norm_before"] = norm, ["norm_after"] = context.Editor.CurrentGlobalNorm });
    }
}
