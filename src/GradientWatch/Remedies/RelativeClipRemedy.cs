using System.Globalization;

namespace GradientWatch.Remedies;

/// <summary>
/// Clips the global gradient norm to a multiple of the median of the recent global norms, so that only norms far above
/// the run's own recent scale are scaled down. A clipped step enters the history at its limit, not at its raw norm, so a
/// divergence raises its own limit by at most the factor per half window. The first step only seeds the history.
/// </summary>
internal sealed class RelativeClipRemedy : GradientRemedy
{
    private readonly double factor;
    private readonly RunningMedian history;
    private long recordedStep = long.MinValue;

    public RelativeClipRemedy(double factor, int window, RemedyOptions options)
        : base("clip_relative", options)
    {
        this.factor = factor;
        history = new RunningMedian(window);
    }

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        double norm = context.Editor.CurrentGlobalNorm;
        double median = history.Median();
        double limit = factor * median;
        if (!double.IsFinite(norm) || !(norm > limit))
        {
            // No history yet (NaN limit), within the limit, or non-finite (left to SkipNonFiniteSteps).
            return null;
        }

        Record(context.Step, limit);
        double scale = ClipGlobalNormTo(context, norm, limit);
        return Action(
            string.Create(CultureInfo.InvariantCulture, $"clipped global gradient norm {norm:G4} to {limit:G4} ({factor:G3}× the recent median {median:G4}; scale {scale:G4})"),
            ScalingCause(context, cause),
            norm,
            limit,
            new Dictionary<string, double> { ["scale"] = scale, ["norm_before"] = norm, ["median_norm"] = median, ["norm_after"] = context.Editor.CurrentGlobalNorm });
    }

    /// <summary>Every step the remedy did not clip (within the limit, not triggered, cooling down) teaches it the run's scale.</summary>
    protected override RemedyAction? Observe(RemedyContext context, bool triggered)
    {
        Record(context.Step, context.Editor.CurrentGlobalNorm);
        return null;
    }

    private void Record(long step, double norm)
    {
        if (step != recordedStep)
        {
            recordedStep = step;
            history.Add(norm);
        }
    }
}
