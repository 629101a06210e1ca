namespace GradientWatch;

/// <summary>
/// Gradient statistics of one layer on one step. A layer is a group of parameters, by default the
/// module that owns them, named by its module path (for example <c>encoder.2.fc1</c>).
/// </summary>
/// <remarks>
/// <see cref="GradientNorm"/>, <see cref="MaxAbs"/>, <see cref="NanCount"/> and <see cref="InfCount"/> are measured
/// on every step. The remaining values are measured on full-statistics steps
/// (<see cref="HasFullStatistics"/>) and are <see cref="double.NaN"/> otherwise.
/// <see cref="Mean"/> and <see cref="StandardDeviation"/> cover the finite elements only, while the norm
/// covers every element, so a single NaN makes <see cref="GradientNorm"/> NaN.
/// </remarks>
public sealed record LayerStatistics
{
    /// <summary>Layer name: the module path, or the parameter name when grouping per parameter.</summary>
    public required string Name { get; init; }

    /// <summary>Position of the layer in registration order (0 = nearest the input for sequential models).</summary>
    public required int Index { get; init; }

    /// <summary>Number of parameter tensors in the layer (trainable or frozen).</summary>
    public required int ParameterCount { get; init; }

    /// <summary>Number of gradient elements that were measured (frozen parameters excluded).</summary>
    public required long ElementCount { get; init; }

    /// <summary>True when no parameter of the layer has a gradient (requires_grad false, or grad not populated).</summary>
    public required bool IsFrozen { get; init; }

    /// <summary>True when this step measured every statistic for the layer.</summary>
    public required bool HasFullStatistics { get; init; }

    /// <summary>L2 norm of the layer's gradient: sqrt(Σg²). NaN or +Inf when a gradient element is non-finite.</summary>
    public required double GradientNorm { get; init; }

    /// <summary>Largest |g| among the non-NaN elements.</summary>
    public required double MaxAbs { get; init; }

    /// <summary>Mean of the finite gradient elements.</summary>
    public double Mean { get; init; } = double.NaN;

    /// <summary>Population standard deviation of the finite gradient elements.</summary>
    public double StandardDeviation { get; init; } = double.NaN;

    /// <summary>Fraction of gradient elements exactly equal to zero.</summary>
    public double ZeroFraction { get; init; } = double.NaN;

    /// <summary>
    /// Fraction of the layer's units whose gradient is exactly zero: units that no example of the batch sent any gradient
    /// through (a dead ReLU's row of the weight matrix and its bias entry, a dead output channel of a convolution). A unit
    /// is a dim-0 slice of a parameter: a row of a weight matrix, an output channel of a convolution kernel, one element
    /// of a bias or norm scale; embedding tables (whose rows are tokens) are left out. Measured on full-statistics steps;
    /// NaN otherwise or when the layer has no such parameter.
    /// </summary>
    public double DeadUnitFraction { get; init; } = double.NaN;

    /// <summary>Number of NaN gradient elements.</summary>
    public required long NanCount { get; init; }

    /// <summary>Number of ±Inf gradient elements.</summary>
    public required long InfCount { get; init; }

    /// <summary>L2 norm of the layer's trainable weights, measured after the optimizer step (one read serves the norm and ‖Δw‖).</summary>
    public double WeightNorm { get; init; } = double.NaN;

    /// <summary>‖g‖ / ‖w‖ for the layer.</summary>
    public double GradientToWeightRatio { get; init; } = double.NaN;

    /// <summary>
    /// ‖Δw‖ / ‖w‖ across the optimizer step, measured on full-statistics steps when the step was taken
    /// and <see cref="GradientWatchOptions.MeasureUpdateRatio"/> is on; NaN otherwise.
    /// </summary>
    public double UpdateToWeightRatio { get; init; } = double.NaN;

    /// <summary>
    /// The distribution of |g| over binary exponents, on full-statistics steps when
    /// <see cref="GradientWatchOptions.MeasureGradientHistograms"/> is on; null otherwise.
    /// </summary>
    public GradientHistogram? Histogram { get; init; }

    /// <summary>
    /// Fraction of the layer's gradient elements that are non-zero and finite but smaller in magnitude than float16's smallest
    /// normal number (2^-14 ≈ 6.1e-5): in float16 they would turn subnormal (losing precision) or flush to zero. Measured with
    /// <see cref="Histogram"/>; NaN when it is not.
    /// </summary>
    public double Float16UnderflowFraction { get; init; } = double.NaN;

    /// <summary>
    /// As <see cref="Float16UnderflowFraction"/> for bfloat16, whose smallest normal number is float32's (2^-126 ≈ 1.2e-38).
    /// </summary>
    public double BFloat16UnderflowFraction { get; init; } = double.NaN;

    /// <summary>True when at least one gradient element is NaN or ±Inf.</summary>
    public bool HasNonFinite => NanCount > 0 || InfCount > 0;
}
