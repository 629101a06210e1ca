namespace GradientWatch;

/// <summary>
/// Options of the learning-rate reduction remedy. On trigger, every parameter group's learning rate is
/// multiplied by <see cref="Factor"/>, never below <see cref="MinLearningRate"/>; after
/// <see cref="RecoverAfterHealthySteps"/> steps without a triggering issue it is raised again by 1/Factor,
/// step by step, up to the value it had before the first reduction.
/// </summary>
public sealed class LearningRateReductionOptions : RemedyOptions
{
    /// <summary>Creates options with the remedy's defaults: trigger on exploding or non-finite gradients, cooldown 50 steps.</summary>
    public LearningRateReductionOptions()
    {
        Trigger = RemedyTrigger.OnIssues(GradientEventSeverity.Error, GradientIssueKind.Exploding, GradientIssueKind.NonFinite);
        CooldownSteps = 50;
    }

    /// <summary>
    /// Multiplier applied to the learning rate, in (0, 1). Default 0.1 (it was 0.5): the default trigger is a divergence,
    /// which a halving often fails to stop; the detection corpus measures both (README, "Detection quality").
    /// </summary>
    public double Factor { get; set; } = 0.1;

    /// <summary>Floor for the learning rate. Default 1e-6.</summary>
    public double MinLearningRate { get; set; } = 1e-6;

    /// <summary>Healthy steps after which the learning rate is raised one notch again; null (the default) never recovers.</summary>
    public int? RecoverAfterHealthySteps { get; set; }

    internal override void Validate(string remedy)
    {
        base.Validate(remedy);
        if (!(Factor > 0 && Factor < 1))
        {
            throw new ArgumentException($"{remedy}: LearningRateReductionOptions.Factor must be between 0 and 1 (exclusive), was {Factor}.", nameof(Factor));
        }

        if (!(MinLearningRate >= 0) || !double.IsFinite(MinLearningRate))
        {
            throw new ArgumentException($"{remedy}: LearningRateReductionOptions.MinLearningRate must be 0 or more, was {MinLearningRate}.", nameof(MinLearningRate));
        }

        if (RecoverAfterHealthySteps is < 1)
        {
            throw new ArgumentException($"{remedy}: LearningRateReductionOptions.RecoverAfterHealthySteps must be at least 1 when set, was {RecoverAfterHealthySteps}.", nameof(RecoverAfterHealthySteps));
        }
    }
}
