namespace GradientWatch;

/// <summary>Stalled-training detection: a layer's update-to-weight ratio ‖Δw‖/‖w‖ stays below a threshold.</summary>
public sealed class StalledTrainingOptions : DetectorOptions
{
    /// <summary>Update ratio below which a layer counts as stalled. Default 1e-7 (healthy training is typically around 1e-3).</summary>
    public double UpdateRatioThreshold { get; set; } = 1e-7;

    /// <summary>Number of consecutive measured steps the condition must hold. Default 5.</summary>
    public int ConsecutiveSteps { get; set; } = 5;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Require(double.IsFinite(UpdateRatioThreshold) && UpdateRatioThreshold > 0, nameof(UpdateRatioThreshold), $"must be greater than 0, was {UpdateRatioThreshold}.");
        Require(ConsecutiveSteps >= 1, nameof(ConsecutiveSteps), $"must be at least 1, was {ConsecutiveSteps}.");
    }
}
