namespace GradientWatch;

/// <summary>
/// Dead-unit detection (for example dead ReLUs): a layer's fraction of units with an exactly-zero gradient
/// (<see cref="LayerStatistics.DeadUnitFraction"/>), or its fraction of exactly-zero gradient elements, stays at or above
/// a threshold for <see cref="ConsecutiveSteps"/> full-statistics steps.
/// </summary>
public sealed class DeadUnitsOptions : DetectorOptions
{
    /// <summary>
    /// Fraction of a layer's units with an exactly-zero gradient at or above which the layer counts as dead. Default 0.5:
    /// half the units, as the detection corpus labels dead units from measured activations. A unit no example of a batch
    /// activates is dead on that batch; five batches in a row make it dead, not idle. Null turns the trigger off.
    /// </summary>
    public double? DeadUnitFractionThreshold { get; set; } = 0.5;

    /// <summary>Fraction of exactly-zero gradient elements at or above which a layer counts as dead. Default 0.9.</summary>
    public double ZeroFractionThreshold { get; set; } = 0.9;

    /// <summary>Number of consecutive full-statistics steps the condition must hold. Default 5.</summary>
    public int ConsecutiveSteps { get; set; } = 5;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Require(ZeroFractionThreshold > 0 && ZeroFractionThreshold <= 1, nameof(ZeroFractionThreshold), $"must be in (0, 1], was {ZeroFractionThreshold}.");
        if (DeadUnitFractionThreshold is { } d)
        {
            Require(d > 0 && d <= 1, nameof(DeadUnitFractionThreshold), $"must be in (0, 1], was {d}.");
        }

        Require(ConsecutiveSteps >= 1, nameof(ConsecutiveSteps), $"must be at least 1, was {ConsecutiveSteps}.");
    }
}
