using System.Globalization;
using GradientWatch.Detection;

namespace GradientWatch.Remedies;

/// <summary>ZClip-style clipping: scales the gradients down to mean + z·σ of the recent global norms.</summary>
internal sealed class ZScoreClipRemedy : GradientRemedy
{
    private readonly double z;
    private readonly int warmupSteps;
    private ExponentialMovingStatistics history;

    public ZScoreClipRemedy(double z, double smoothing, int warmupSteps, RemedyOptions options)
        : base("clip_zscore", options)
    {
        this.z = z;
        this.warmupSteps = warmupSteps;
        history = new ExponentialMovingStatistics(smoothing);
    }

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        double norm = context.Editor.CurrentGlobalNorm;
        if (!double.IsFinite(norm))
        {
            return null;
        }

        if (history.Count < warmupSteps)
        {
            history.Update(norm);
            return null;
        }

        double limit = history.Mean + (z * history.StandardDeviation);
        if (norm <= limit || limit <= 0)
        {
            history.Update(norm);
            return null;
        }

        double scale = limit / norm;
        context.Editor.ScaleAll(scale);
        history.Update(limit);
        return Action(
            string.Create(CultureInfo.InvariantCulture, $"z-score clip: global norm {norm:G4} above mean {history.Mean:G4} + {z:G3}σ; scaled to {limit:G4}"),
            ScalingCause(context, cause),
            norm,
            limit,
            new Dictionary<string, double> { ["scale"] = scale, ["zscore"] = history.ZScore(norm) });
    }
}
