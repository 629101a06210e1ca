namespace GradientWatch;

/// <summary>Dead-unit detection: a layer's fraction of exactly-zero gradients stays above a threshold (for example dead ReLUs).</summary>
public sealed class DeadUnitsOptions : DetectorOptions
{
    /// <summary>Zero fraction at or above which a layer counts as dead. Default 0.9.</summary>
    public double ZeroFractionThreshold { get; set; } = 0.9;

    /// <summary>Number of consecutive full-statistics steps the condition must hold. Default 5.</summary>
    public int ConsecutiveSteps { get; set; } = 5;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Require(ZeroFractionThreshold > 0 && ZeroFractionThreshold <= 1, nameof(ZeroFractionThreshold), $"must be in (0, 1], was {ZeroFractionThreshold}.");
        Require(ConsecutiveSteps >= 1, nameof(ConsecutiveSteps), $"must be at least 1, was {ConsecutiveSteps}.");
    }
}
