using System.Globalization;

namespace GradientWatch.Remedies;

/// <summary>Clamps every gradient element to [−limit, limit].</summary>
internal sealed class ClipValueRemedy : GradientRemedy
{
    private readonly double limit;

    public ClipValueRemedy(double limit, RemedyOptions options)
        : base("clip_value", options) => this.limit = limit;

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        double maxAbs = context.Snapshot.Layers.Where(l => !l.IsFrozen).Select(l => l.MaxAbs).DefaultIfEmpty(0).Max();
        if (maxAbs <= limit)
        {
            return null; // Known from the measured max |g|: nothing to clamp, no pass needed.
        }

        long changed = context.Editor.ClampValues(limit);
        if (changed == 0)
        {
            return null;
        }

        return Action(
            string.Create(CultureInfo.InvariantCulture, $"clamped {changed} gradient element(s) to ±{limit:G4} (max |g| was {maxAbs:G4})"),
            ScalingCause(context, cause),
            maxAbs,
            limit,
            new Dictionary<string, double> { ["elements_clamped"] = changed });
    }
}
