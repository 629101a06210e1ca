namespace GradientWatch;

/// <summary>
/// Exploding-gradient detection. Error-severity triggers, on by default and active from the second step (no
/// warm-up): <em>divergence</em> (the global gradient norm and the loss grow together, against their values at the
/// start of training or their recent median) and <em>growth</em> (the global norm alone grows by a large factor, on
/// steps without a finite loss: loops that do not pass it). Optional triggers: absolute norm thresholds (Error), and two statistical-outlier
/// triggers, a z-score of the global norm (ZClip-style) and a per-layer jump over the layer's moving average, which
/// report Warnings. The defaults were chosen on the detection corpus (docs/detection-corpus.md): the outlier triggers
/// fired on ordinary mini-batch noise in 43 of 151 healthy runs, the divergence trigger on none.
/// </summary>
public sealed class ExplodingGradientOptions : DetectorOptions
{
    /// <summary>
    /// Divergence trigger: flag when the global norm is at least this multiple of its value on the first step, and
    /// the loss at least <see cref="DivergenceLossFactor"/> times its first value; or both are those multiples of their
    /// median over the last <see cref="RecentSteps"/> steps (with the loss above its first value). Needs the loss
    /// (<c>Step(loss)</c>). Default 5. Null turns the trigger off.
    /// </summary>
    public double? DivergenceNormFactor { get; set; } = 5.0;

    /// <summary>Loss multiple that the divergence trigger requires together with <see cref="DivergenceNormFactor"/>. Default 3.</summary>
    public double DivergenceLossFactor { get; set; } = 3.0;

    /// <summary>
    /// Growth trigger, from the norm alone, for loops that pass no loss (and steps whose loss is not finite): flag when the
    /// global norm is at least this multiple of its first value or of its median over the last <see cref="RecentSteps"/>
    /// steps, and still rising. With a finite loss, the divergence trigger decides: a norm that grows while the loss does
    /// not is training (a deep network's gradients leaving a flat start), not divergence. Default 50. Null turns it off.
    /// </summary>
    public double? GrowthFactor { get; set; } = 50.0;

    /// <summary>Steps whose median the divergence and growth triggers compare with. Default 10.</summary>
    public int RecentSteps { get; set; } = 10;

    /// <summary>Flag when the global gradient norm exceeds this value. Default null (off).</summary>
    public double? GlobalNormThreshold { get; set; }

    /// <summary>Flag a layer whose gradient norm exceeds this value. Default null (off).</summary>
    public double? LayerNormThreshold { get; set; }

    /// <summary>
    /// Warn when the global norm's z-score exceeds this value (a statistical outlier, Warning severity). Default null
    /// (off): on the corpus it fired on ordinary mini-batch noise. 4 is the ZClip-style setting.
    /// </summary>
    public double? ZScoreThreshold { get; set; }

    /// <summary>
    /// The z-score trigger also requires the norm to be at least this multiple of its moving mean, so that a
    /// steady series with a tiny variance does not call ordinary mini-batch noise an explosion. Default 2; 1 turns
    /// the requirement off.
    /// </summary>
    public double ZScoreMinimumRatio { get; set; } = 2.0;

    /// <summary>Weight of the past in the exponential moving statistics (0..1). Default 0.97, as in ZClip.</summary>
    public double Smoothing { get; set; } = 0.97;

    /// <summary>Steps observed before the z-score and jump triggers may fire (the divergence and growth triggers need no warm-up). Default 10.</summary>
    public int WarmupSteps { get; set; } = 10;

    /// <summary>Warn when a layer's norm exceeds this multiple of its own moving average (Warning severity). Default null (off); 10 is a typical setting.</summary>
    public double? JumpFactor { get; set; }

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

        Require(double.IsFinite(ZScoreMinimumRatio) && ZScoreMinimumRatio >= 1, nameof(ZScoreMinimumRatio), $"must be 1 or more, was {ZScoreMinimumRatio}.");
        Require(Smoothing > 0 && Smoothing < 1, nameof(Smoothing), $"must be between 0 and 1 (exclusive), was {Smoothing}.");
        Require(WarmupSteps >= 1, nameof(WarmupSteps), $"must be at least 1, was {WarmupSteps}.");
        if (JumpFactor is { } j)
        {
            Require(double.IsFinite(j) && j > 1, nameof(JumpFactor), $"must be greater than 1, was {j}.");
        }

        if (DivergenceNormFactor is { } d)
        {
            Require(double.IsFinite(d) && d > 1, nameof(DivergenceNormFactor), $"must be greater than 1, was {d}.");
        }

        Require(double.IsFinite(DivergenceLossFactor) && DivergenceLossFactor > 1, nameof(DivergenceLossFactor), $"must be greater than 1, was {DivergenceLossFactor}.");
        if (GrowthFactor is { } g)
        {
            Require(double.IsFinite(g) && g > 1, nameof(GrowthFactor), $"must be greater than 1, was {g}.");
        }

        Require(RecentSteps >= 2, nameof(RecentSteps), $"must be at least 2, was {RecentSteps}.");
        Require(Enabled is false || GlobalNormThreshold is not null || LayerNormThreshold is not null || ZScoreThreshold is not null || JumpFactor is not null || DivergenceNormFactor is not null || GrowthFactor is not null, nameof(Enabled), "is true but every trigger is off; set a threshold or set Enabled = false.");
    }
}
