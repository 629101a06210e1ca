namespace GradientWatch;

/// <summary>
/// Mixed-precision underflow detection: a layer holds many gradient elements too small for float16's normal range
/// (<see cref="LayerStatistics.Float16UnderflowFraction"/>), or for bfloat16's. Off by default;
/// <see cref="GradientWatchBuilder.DetectUnderflow"/> turns it on. Needs <see cref="GradientWatchOptions.MeasureGradientHistograms"/>.
/// </summary>
public sealed class UnderflowOptions : DetectorOptions
{
    /// <summary>Creates the options, off until <see cref="GradientWatchBuilder.DetectUnderflow"/> turns them on.</summary>
    public UnderflowOptions() => Enabled = false;

    /// <summary>
    /// Fraction of a layer's gradient elements below float16's smallest normal (2^-14 ≈ 6.1e-5) at or above which the layer
    /// counts as underflowing. Default 0.25; null ignores float16.
    /// </summary>
    public double? Float16FractionThreshold { get; set; } = 0.25;

    /// <summary>As <see cref="Float16FractionThreshold"/> for bfloat16 (2^-126 ≈ 1.2e-38). Default null (ignored): bfloat16 rarely underflows.</summary>
    public double? BFloat16FractionThreshold { get; set; }

    /// <summary>Number of consecutive full-statistics steps the condition must hold. Default 3.</summary>
    public int ConsecutiveSteps { get; set; } = 3;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Require(Float16FractionThreshold is null || Float16FractionThreshold is > 0 and <= 1, nameof(Float16FractionThreshold), $"must be in (0, 1] or null, was {Float16FractionThreshold}.");
        Require(BFloat16FractionThreshold is null || BFloat16FractionThreshold is > 0 and <= 1, nameof(BFloat16FractionThreshold), $"must be in (0, 1] or null, was {BFloat16FractionThreshold}.");
        Require(Float16FractionThreshold is not null || BFloat16FractionThreshold is not null, nameof(Float16FractionThreshold), "and BFloat16FractionThreshold are both null: set at least one.");
        Require(ConsecutiveSteps >= 1, nameof(ConsecutiveSteps), $"must be at least 1, was {ConsecutiveSteps}.");
    }
}
