namespace GradientWatch;

/// <summary>
/// Vanishing-gradient detection: a layer's norm stays below a threshold, either absolutely or relative to the largest
/// layer norm of the step: its median over the last <see cref="ConsecutiveSteps"/> steps is below the threshold. Steps
/// on which a layer's gradient is exactly zero do not count as vanishing (the layer is cut off by dead units, which
/// dead-unit detection reports, or unused). When the watcher measures update ratios
/// (<see cref="GradientWatchOptions.MeasureUpdateRatio"/>, the default), the layer's weights must also barely move:
/// see <see cref="RelativeUpdateThreshold"/>.
/// </summary>
public sealed class VanishingGradientOptions : DetectorOptions
{
    /// <summary>Flag a layer whose gradient norm is below this value. Default 1e-7. Null turns the trigger off.</summary>
    public double? AbsoluteThreshold { get; set; } = 1e-7;

    /// <summary>
    /// Flag a layer whose norm is below this fraction of the largest layer norm. Default 1e-3: on the detection corpus
    /// the runs labelled vanishing that this ratio finds stay below 4.1e-4, every run not labelled vanishing above
    /// 1.5e-3 (healthy runs above 4.5e-3). Null turns the trigger off.
    /// </summary>
    public double? RelativeThreshold { get; set; } = 1e-3;

    /// <summary>
    /// Number of recent steps whose median is compared with the thresholds (the condition must hold on more than half
    /// of them, so one noisy step neither trips nor resets it). Default 10.
    /// </summary>
    public int ConsecutiveSteps { get; set; } = 10;

    /// <summary>
    /// A layer with a small gradient is reported only while its weights barely move: the median of its update ratio
    /// ‖Δw‖/‖w‖ over the last <see cref="UpdateMeasurements"/> full-statistics steps is below this fraction of the
    /// fastest-moving layer's. Default 0.05, the ratio the detection corpus's vanishing label uses for the first layer's
    /// movement against the last layer's. Adaptive optimizers (Adam, AdamW) scale a small gradient back up, so the layer
    /// keeps learning; on the corpus's held-out 1 most false vanishing alarms were such layers. Null turns the
    /// gate off (gradients alone decide); without measured update ratios
    /// (<see cref="GradientWatchOptions.MeasureUpdateRatio"/> false) gradients alone decide too.
    /// </summary>
    public double? RelativeUpdateThreshold { get; set; } = 0.05;

    /// <summary>
    /// Number of recent update-ratio measurements (one per full-statistics step, every
    /// <see cref="GradientWatchOptions.FullStatisticsInterval"/> steps) whose median <see cref="RelativeUpdateThreshold"/>
    /// compares. Default 3 (with the default interval of 10: the first report can come at step 21).
    /// </summary>
    public int UpdateMeasurements { get; set; } = 3;

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

        RequirePositive(RelativeUpdateThreshold, nameof(RelativeUpdateThreshold));
        if (RelativeUpdateThreshold is { } u)
        {
            Require(u < 1, nameof(RelativeUpdateThreshold), $"must be below 1 (a fraction of the fastest layer's update ratio), was {u}.");
        }

        Require(UpdateMeasurements >= 1, nameof(UpdateMeasurements), $"must be at least 1, was {UpdateMeasurements}.");
        Require(ConsecutiveSteps >= 1, nameof(ConsecutiveSteps), $"must be at least 1, was {ConsecutiveSteps}.");
        Require(Enabled is false || AbsoluteThreshold is not null || RelativeThreshold is not null, nameof(Enabled), "is true but both thresholds are off; set one or set Enabled = false.");
    }
}
