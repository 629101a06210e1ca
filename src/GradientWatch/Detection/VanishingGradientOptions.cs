namespace GradientWatch;

/// <summary>
/// Vanishing-gradient detection: a layer's norm stays below a threshold for <see cref="ConsecutiveSteps"/>
/// steps, either absolutely or relative to the largest layer norm of the step.
/// </summary>
public sealed class VanishingGradientOptions : DetectorOptions
{
    /// <summary>Flag a layer whose gradient norm is below this value. Default 1e-7. Null turns the trigger off.</summary>
    public double? AbsoluteThreshold { get; set; } = 1e-7;

    /// <summary>Flag a layer whose norm is below this fraction of the largest layer norm. Default 1e-4. Null turns the trigger off.</summary>
    public double? RelativeThreshold { get; set; } = 1e-4;

    /// <summary>Number of consecutive steps the condition must hold. Default 10.</summary>
    public int ConsecutiveSteps { get; set; } = 10;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequirePositive(AbsoluteThreshold, nameof(AbsoluteThreshold));
        RequirePositive(RelativeThreshold, nameof(RelativeThreshold));
        if (RelativeThreshold is { } r)
        {
            Require(r < 1, nameof(RelativeThreshold), $"must be below 1 (a fraction of the largest layer norm), was {r}.");
        }

        Require(ConsecutiveSteps >= 1, nameof(ConsecutiveSteps), $"must be at least 1, was {ConsecutiveSteps}.");
        Require(Enabled is false || AbsoluteThreshold is not null || RelativeThreshold is not null, nameof(Enabled), "is true but both thresholds are off; set one or set Enabled = false.");
    }
}
