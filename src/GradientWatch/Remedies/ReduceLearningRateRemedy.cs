using System.Globalization;

namespace GradientWatch.Remedies;

/// <summary>Multiplies every parameter group's learning rate by a factor, with a floor, a cooldown and optional recovery.</summary>
internal sealed class ReduceLearningRateRemedy : GradientRemedy
{
    private readonly LearningRateReductionOptions options;
    private double[]? original;
    private int healthy;

    public ReduceLearningRateRemedy(LearningRateReductionOptions options)
        : base("reduce_lr", options) => this.options = options;

    protected override RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause)
    {
        healthy = 0;
        var current = context.Editor.LearningRates;
        if (current.Count == 0)
        {
            return null;
        }

        original ??= current.ToArray();
        var next = current.Select(lr => Reduced(lr, options.Factor, options.MinLearningRate)).ToArray();
        if (next.SequenceEqual(current))
        {
            return null; // Already at (or below) the floor.
        }

        context.Editor.SetLearningRates(next);
        return Action(
            string.Create(CultureInfo.InvariantCulture, $"reduced learning rate {current[0]:G4} → {next[0]:G4} (×{options.Factor:G3}, floor {options.MinLearningRate:G3})"),
            cause,
            next[0],
            current[0],
            new Dictionary<string, double> { ["lr_before"] = current[0], ["lr_after"] = next[0] });
    }

    /// <summary>
    /// The rate after one reduction: lr·factor, but not below the floor, and never above lr itself, so a rate that
    /// already sits below <paramref name="floor"/> stays where it is instead of being raised to it.
    /// </summary>
    internal static double Reduced(double lr, double factor, double floor)
        => double.IsFinite(lr) ? Math.Min(lr, Math.Max(lr * factor, floor)) : lr;

    protected override RemedyAction? Observe(RemedyContext context, bool triggered)
    {
        if (triggered)
        {
            healthy = 0;
            return null;
        }

        if (original is null || options.RecoverAfterHealthySteps is not { } n || ++healthy < n)
        {
            return null;
        }

        healthy = 0;
        var current = context.Editor.LearningRates;
        var next = current.Select((lr, i) => Math.Min(lr / options.Factor, i < original.Length ? original[i] : lr)).ToArray();
        if (next.SequenceEqual(current))
        {
            original = null;
            return null;
        }

        context.Editor.SetLearningRates(next);
        bool done = next.Select((lr, i) => i >= original.Length || lr >= original[i]).All(b => b);
        if (done)
        {
            original = null;
        }

        return Action(
            string.Create(CultureInfo.InvariantCulture, $"recovered learning rate {current[0]:G4} → {next[0]:G4} after {n} healthy steps"),
            null,
            next[0],
            current[0],
            new Dictionary<string, double> { ["lr_before"] = current[0], ["lr_after"] = next[0], ["recovery"] = 1 });
    }
}
