namespace GradientWatch;

/// <summary>
/// Exploding-gradient detection. Three independent triggers: an absolute norm threshold (global and
/// per layer), an adaptive z-score of the global norm against its exponential moving mean and variance
/// (as ZClip does), and a jump of a layer's norm by a factor over its own moving average.
/// </summary>
public sealed class ExplodingGradientOptions : DetectorOptions
{
    /// <summary>Flag when the global gradient norm exceeds this value. Default null (off).</summary>
    public double? GlobalNormThreshold { get; set; }

    /// <summary>Flag a layer whose gradient norm exceeds this value. Default null (off).</summary>
    public double? LayerNormThreshold { get; set; }

    /// <summary>Flag when the global norm's z-score exceeds this value. Default 4. Null turns the trigger off.</summary>
    public double? ZScoreThreshold { get; set; } = 4.0;

    /// <summary>Weight of the past in the exponential moving statistics (0..1). Default 0.97, as in ZClip.</summary>
    public double Smoothing { get; set; } = 0.97;

    /// <summary>Steps observed before the z-score and jump triggers may fire. Default 10.</summary>
    public int WarmupSteps { get; set; } = 10;

    /// <summary>Flag a layer whose norm exceeds this multiple of its own moving average. Default 10. Null turns the trigger off.</summary>
    public double? JumpFactor { get; set; } = 10.0;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequirePositive(GlobalNormThreshold, nameof(GlobalNormThreshold));
        RequirePositive(LayerNormThreshold, nameof(LayerNormThreshold));
        if (ZScoreThreshold is { } z)
        {
            Require(double.IsFinite(z) && z > 0, nameof(ZScoreThreshold), $"must be greater than 0, was {z}.");
        }

        Require(Smoothing > 0 && Smoothing < 1, nameof(Smoothing), $"must be between 0 and 1 (exclusive), was {Smoothing}.");
        Require(WarmupSteps >= 1, nameof(WarmupSteps), $"must be at least 1, was {WarmupSteps}.");
        if (JumpFactor is { } j)
        {
            Require(double.IsFinite(j) && j > 1, nameof(JumpFactor), $"must be greater than 1, was {j}.");
        }

        Require(Enabled is false || GlobalNormThreshold is not null || LayerNormThreshold is not null || ZScoreThreshold is not null || JumpFactor is not null, nameof(Enabled), "is true but every trigger is off; set a threshold or set Enabled = false.");
    }
}
