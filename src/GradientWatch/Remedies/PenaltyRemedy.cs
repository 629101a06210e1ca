using System.Globalization;

namespace GradientWatch.Remedies;

/// <summary>Adds an L2 (λ·w) or L1 (λ·sign(w)) penalty to the gradients of chosen layers.</summary>
internal sealed class PenaltyRemedy : GradientRemedy
{
    private readonly bool l1;
    private readonly double coefficient;
    private readonly IReadOnlyCollection<string> layers;
    private bool reported;

    public PenaltyRemedy(bool l1, double coefficient, PenaltyOptions options)
        : base(l1 ? "l1_penalty" : "l2_penalty", options)
    {
        this.l1 = l1;
        this.coefficient = coefficient;
        layers = options.Layers.ToArray();
    }

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        var applied = context.Editor.AddPenalty(l1, coefficient, layers);
        if (applied.Count == 0)
        {
            return null;
        }

        // A penalty that applies on every step is reported once; one tied to an issue is reported each time.
        bool issueDriven = Options.Trigger.Kinds.Count > 0;
        if (!issueDriven && reported)
        {
            return null;
        }

        reported = true;
        return Action(
            string.Create(CultureInfo.InvariantCulture, $"added {(l1 ? "L1" : "L2")} penalty {coefficient:G3} to the gradients of {applied.Count} layer(s){(issueDriven ? $" while {cause} is active" : " (applied on every step; reported once)")}"),
            cause,
            coefficient,
            null,
            layers: applied);
    }
}
