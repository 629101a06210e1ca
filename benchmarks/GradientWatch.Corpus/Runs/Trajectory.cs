namespace GradientWatch.Corpus.Runs;

/// <summary>
/// What the corpus harness itself recorded about one run, independently of GradientWatch: the mini-batch loss of every
/// step, the held-out loss before and after training, how far each layer's weights moved, and the fraction of hidden
/// units that never activate.
/// </summary>
internal sealed record Trajectory
{
    /// <summary>Mini-batch loss of steps 1..n (index 0 is step 1). Shorter than the planned steps when the run stopped on non-finite losses.</summary>
    public required double[] Losses { get; init; }

    /// <summary>Held-out loss before the first step.</summary>
    public required double EvalStart { get; init; }

    /// <summary>Held-out loss after the last step (NaN or ∞ when the weights became non-finite).</summary>
    public required double EvalFinal { get; init; }

    /// <summary>Per weight layer, input side first: ‖w_end − w_start‖ / ‖w_start‖.</summary>
    public double[] LayerMovement { get; init; } = [];

    /// <summary>Per hidden activation layer, input side first: fraction of units that are exactly zero on every held-out row (ReLU models).</summary>
    public double[] DeadFractions { get; init; } = [];

    /// <summary>Global gradient norm per step as GradientWatch measured it (for analysis and dumps; the labeller never reads it).</summary>
    public double[] GradientNorms { get; init; } = [];

    /// <summary>Step-size α per step as GradientWatch measured it (detection-only runs; for analysis, never read by the labeller).</summary>
    public double[] StepSizeAlphas { get; init; } = [];

    /// <summary>GradientWatch's layer names (for analysis and dumps; the labeller never reads the per-layer statistics).</summary>
    public string[] LayerNames { get; init; } = [];

    /// <summary>Per step, per GradientWatch layer: gradient norm (for analysis and dumps).</summary>
    public double[][] LayerGradientNorms { get; init; } = [];

    /// <summary>Per step, per GradientWatch layer: fraction of exactly-zero gradient elements (NaN off full-statistics steps).</summary>
    public double[][] LayerZeroFractions { get; init; } = [];

    /// <summary>Per step, per GradientWatch layer: the share of units whose gradient is exactly zero (NaN off full-statistics steps).</summary>
    public double[][] LayerDeadUnitFractions { get; init; } = [];

    /// <summary>Per step, per GradientWatch layer: ‖Δw‖/‖w‖ (NaN off full-statistics steps).</summary>
    public double[][] LayerUpdateRatios { get; init; } = [];

    /// <summary>Every 10th step (1, 11, ...), per parameterized module: fraction of output units (dim-0 slices of each parameter) whose gradient is exactly zero (for analysis and dumps).</summary>
    public double[][] ZeroRowFractions { get; init; } = [];

    /// <summary>Names of the modules of <see cref="ZeroRowFractions"/>.</summary>
    public string[] ZeroRowModules { get; init; } = [];

    /// <summary>Steps the run was planned for.</summary>
    public int PlannedSteps { get; init; }
}
