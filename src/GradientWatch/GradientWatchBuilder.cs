using GradientWatch.Detection;
using GradientWatch.Remedies;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace GradientWatch;

/// <summary>
/// Fluent configuration of a <see cref="GradientWatcher"/>: measurement options, detectors, remedies and
/// event sinks. Every detector is on with its defaults; <c>Detect…</c> methods change their options.
/// Remedies run in the order they are added. The configuration is validated by <see cref="Build"/> (and
/// <see cref="Validate"/>), before training starts, with messages that name the setting. A builder can
/// build any number of watchers; each gets fresh detector and remedy state.
/// </summary>
public sealed class GradientWatchBuilder
{
    private readonly GradientWatchOptions options = new();
    private readonly ExplodingGradientOptions exploding = new();
    private readonly VanishingGradientOptions vanishing = new();
    private readonly DeadUnitsOptions deadUnits = new();
    private readonly StalledTrainingOptions stalled = new();
    private readonly OvershootingOptions overshooting = new();
    private readonly UnderflowOptions underflow = new();
    private readonly List<RemedyRegistration> remedies = new();
    private readonly List<Action<GradientEvent>> eventCallbacks = new();
    private readonly List<Action<StepSnapshot>> stepCallbacks = new();
    private readonly List<Func<GradientWatcher, IDisposable>> attachments = new();
    private ILoggerFactory? loggerFactory;
    private bool stalledConfigured;

    /// <summary>The measurement options being configured.</summary>
    public GradientWatchOptions Options => options;

    /// <summary>Changes the measurement options.</summary>
    public GradientWatchBuilder Configure(Action<GradientWatchOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(options);
        return this;
    }

    /// <summary>Configures exploding-gradient detection (on by default: z-score 4 after 10 warm-up steps, and 10× jumps per layer).</summary>
    public GradientWatchBuilder DetectExploding(Action<ExplodingGradientOptions>? configure = null) => Apply(exploding, configure);

    /// <summary>Configures vanishing-gradient detection (on by default: a layer's median norm over the last 10 steps below 1e-7, or below 1e-3 of the largest layer, while its median update ratio over the last 3 full-statistics steps is below 5 % of the fastest layer's).</summary>
    public GradientWatchBuilder DetectVanishing(Action<VanishingGradientOptions>? configure = null) => Apply(vanishing, configure);

    /// <summary>Configures dead-unit detection (on by default: half of a layer's units, or 90% of its elements, with an exactly-zero gradient for 5 measured steps).</summary>
    public GradientWatchBuilder DetectDeadUnits(Action<DeadUnitsOptions>? configure = null) => Apply(deadUnits, configure);

    /// <summary>Configures stalled-training detection (on by default: update ratio below 1e-7 for 5 measured steps).</summary>
    public GradientWatchBuilder DetectStalledTraining(Action<StalledTrainingOptions>? configure = null)
    {
        stalledConfigured = true;
        return Apply(stalled, configure);
    }

    /// <summary>
    /// Turns on the step-size instrument (<see cref="GradientWatchOptions.MeasureStepSize"/>) and configures overshooting
    /// detection (median α of the last 5 steps above 0.5 while the loss rises above where it started), which <see cref="ReduceLearningRate"/> can trigger on.
    /// </summary>
    public GradientWatchBuilder DetectOvershooting(Action<OvershootingOptions>? configure = null)
    {
        options.MeasureStepSize = true;
        return Apply(overshooting, configure);
    }

    /// <summary>
    /// Turns on mixed-precision underflow detection (off by default): a layer with 25% or more of its gradient elements below
    /// float16's smallest normal for 3 measured steps. Its advice is loss scaling or bfloat16.
    /// </summary>
    public GradientWatchBuilder DetectUnderflow(Action<UnderflowOptions>? configure = null)
    {
        underflow.Enabled = true;
        return Apply(underflow, configure);
    }

    /// <summary>Scales all gradients so the global norm is at most <paramref name="maxNorm"/>, reusing the measured norm. Trigger: every step.</summary>
    public GradientWatchBuilder ClipGlobalNorm(double maxNorm, Action<RemedyOptions>? configure = null)
    {
        RequirePositive(maxNorm, nameof(ClipGlobalNorm), nameof(maxNorm));
        return AddRemedy("clip_global_norm", new RemedyOptions(), configure, o => new ClipGlobalNormRemedy(maxNorm, o));
    }

    /// <summary>Clamps every gradient element to ±<paramref name="limit"/>. Trigger: every step.</summary>
    public GradientWatchBuilder ClipValue(double limit, Action<RemedyOptions>? configure = null)
    {
        RequirePositive(limit, nameof(ClipValue), nameof(limit));
        RequireFloat32(limit, nameof(ClipValue), nameof(limit));
        return AddRemedy("clip_value", new RemedyOptions(), configure, o => new ClipValueRemedy(limit, o));
    }

    /// <summary>
    /// Unit-wise adaptive gradient clipping (AGC): each output unit's gradient norm is clipped to
    /// <paramref name="clipping"/>·max(‖W_i‖, <paramref name="epsilon"/>). Trigger: every step.
    /// </summary>
    public GradientWatchBuilder ClipAdaptive(double clipping = 0.01, double epsilon = 1e-3, Action<RemedyOptions>? configure = null)
    {
        RequirePositive(clipping, nameof(ClipAdaptive), nameof(clipping));
        RequirePositive(epsilon, nameof(ClipAdaptive), nameof(epsilon));
        return AddRemedy("clip_adaptive", new RemedyOptions(), configure, o => new AdaptiveClipRemedy(clipping, epsilon, o));
    }

    /// <summary>
    /// ZClip-style clipping: after <paramref name="warmupSteps"/>, scales the gradients down to mean + z·σ of the
    /// exponentially averaged recent global norms. Trigger: every step.
    /// </summary>
    public GradientWatchBuilder ClipZScore(double zThreshold = 2.5, double smoothing = 0.97, int warmupSteps = 25, Action<RemedyOptions>? configure = null)
    {
        RequirePositive(zThreshold, nameof(ClipZScore), nameof(zThreshold));
        if (!(smoothing > 0 && smoothing < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "ClipZScore: smoothing must be between 0 and 1 (exclusive).");
        }

        if (warmupSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "ClipZScore: warmupSteps must be at least 1.");
        }

        return AddRemedy("clip_zscore", new RemedyOptions(), configure, o => new ZScoreClipRemedy(zThreshold, smoothing, warmupSteps, o));
    }

    /// <summary>
    /// Clips the global gradient norm to <paramref name="factor"/> × the median global norm of the last
    /// <paramref name="window"/> steps. Only norms far above the run's own recent scale are scaled down: on the detection
    /// corpus the default limit never touched a healthy run, while a divergence is held back from its second step (the
    /// first step only seeds the history). A clipped step enters the history at its limit, so a divergence cannot raise
    /// its own limit quickly. Unlike <see cref="ClipGlobalNorm"/> it needs no norm chosen for the model. Trigger: every step.
    /// </summary>
    public GradientWatchBuilder ClipRelativeNorm(double factor = 10.0, int window = 100, Action<RemedyOptions>? configure = null)
    {
        if (!double.IsFinite(factor) || factor <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "ClipRelativeNorm: factor must be a finite number greater than 1 (a limit at or below the median would clip every other step).");
        }

        if (window < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "ClipRelativeNorm: window must be at least 1.");
        }

        return AddRemedy("clip_relative", new RemedyOptions(), configure, o => new RelativeClipRemedy(factor, window, o));
    }

    /// <summary>
    /// Skips the optimizer step when the gradients or the loss are non-finite: the weights stay bit-for-bit
    /// unchanged, the gradients are cleared, and training continues. Trigger: non-finite issues.
    /// </summary>
    public GradientWatchBuilder SkipNonFiniteSteps(Action<RemedyOptions>? configure = null)
        => AddRemedy("skip_step", new RemedyOptions { Trigger = RemedyTrigger.OnIssues(GradientIssueKind.NonFinite) }, configure, o => new SkipStepRemedy(o));

    /// <summary>Adds <paramref name="coefficient"/>·w to the gradients (L2 penalty) of all or chosen layers. Trigger: every step, or while an issue is active.</summary>
    public GradientWatchBuilder AddL2Penalty(double coefficient, Action<PenaltyOptions>? configure = null)
    {
        RequirePositive(coefficient, nameof(AddL2Penalty), nameof(coefficient));
        RequireFloat32(coefficient, nameof(AddL2Penalty), nameof(coefficient));
        return AddRemedy("l2_penalty", new PenaltyOptions(), configure, o => new PenaltyRemedy(false, coefficient, (PenaltyOptions)o));
    }

    /// <summary>Adds <paramref name="coefficient"/>·sign(w) to the gradients (L1 penalty) of all or chosen layers. Trigger: every step, or while an issue is active.</summary>
    public GradientWatchBuilder AddL1Penalty(double coefficient, Action<PenaltyOptions>? configure = null)
    {
        RequirePositive(coefficient, nameof(AddL1Penalty), nameof(coefficient));
        RequireFloat32(coefficient, nameof(AddL1Penalty), nameof(coefficient));
        return AddRemedy("l1_penalty", new PenaltyOptions(), configure, o => new PenaltyRemedy(true, coefficient, (PenaltyOptions)o));
    }

    /// <summary>
    /// Multiplies every parameter group's learning rate by a factor (default 0.1, floor 1e-6, cooldown 50 steps)
    /// on Error-severity exploding or non-finite gradients, with optional recovery after healthy steps.
    /// </summary>
    public GradientWatchBuilder ReduceLearningRate(Action<LearningRateReductionOptions>? configure = null)
        => AddRemedy("reduce_lr", new LearningRateReductionOptions(), configure, o => new ReduceLearningRateRemedy((LearningRateReductionOptions)o));

    /// <summary>
    /// Stops training with a <see cref="GradientWatchHaltedException"/> after <paramref name="consecutiveBadSteps"/>
    /// consecutive steps with exploding or non-finite gradients (or the configured trigger).
    /// </summary>
    public GradientWatchBuilder HaltAfter(int consecutiveBadSteps, Action<RemedyOptions>? configure = null)
    {
        if (consecutiveBadSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(consecutiveBadSteps), consecutiveBadSteps, "HaltAfter: consecutiveBadSteps must be at least 1.");
        }

        return AddRemedy("halt", new RemedyOptions { Trigger = RemedyTrigger.OnIssues(GradientEventSeverity.Error, GradientIssueKind.Exploding, GradientIssueKind.NonFinite) }, configure, o => new HaltRemedy(consecutiveBadSteps, o));
    }

    /// <summary>Calls <paramref name="callback"/> for every event. Exceptions are logged and never stop training.</summary>
    public GradientWatchBuilder OnEvent(Action<GradientEvent> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        eventCallbacks.Add(callback);
        return this;
    }

    /// <summary>Calls <paramref name="callback"/> after every step with its snapshot. Exceptions never stop training.</summary>
    public GradientWatchBuilder OnStep(Action<StepSnapshot> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        stepCallbacks.Add(callback);
        return this;
    }

    /// <summary>Logs every event, and GradientWatch's own warnings, through <paramref name="factory"/> (category <c>GradientWatch</c>).</summary>
    public GradientWatchBuilder UseLoggerFactory(ILoggerFactory factory)
    {
        loggerFactory = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Appends every event to a JSON Lines file at <paramref name="path"/>, flushed per event.</summary>
    public GradientWatchBuilder WriteEventsTo(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options.EventFilePath = path;
        return this;
    }

    /// <summary>
    /// Ties an object's lifetime to every watcher this builder builds (for example a metrics endpoint):
    /// <paramref name="start"/> runs when the watcher is built and the result is disposed with the watcher.
    /// Used by the GradientWatch integration packages.
    /// </summary>
    public GradientWatchBuilder Attach(Func<GradientWatcher, IDisposable> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        attachments.Add(start);
        return this;
    }

    /// <summary>Validates the configuration and throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        options.Validate();
        exploding.Validate();
        vanishing.Validate();
        deadUnits.Validate();
        stalled.Validate();
        overshooting.Validate();
        underflow.Validate();
        if (underflow.Enabled && !options.MeasureGradientHistograms)
        {
            throw new ArgumentException("DetectUnderflow needs GradientWatchOptions.MeasureGradientHistograms = true (the underflow fractions come from the histograms).", nameof(GradientWatchOptions.MeasureGradientHistograms));
        }

        foreach (var r in remedies)
        {
            r.Options.Validate(r.Name);
        }

        // Contradictory settings.
        if (exploding.Enabled && vanishing.Enabled && exploding.LayerNormThreshold is { } high && vanishing.AbsoluteThreshold is { } low && low >= high)
        {
            throw new ArgumentException($"VanishingGradientOptions.AbsoluteThreshold ({low}) must be below ExplodingGradientOptions.LayerNormThreshold ({high}); otherwise one norm is both vanishing and exploding.", nameof(VanishingGradientOptions.AbsoluteThreshold));
        }

        if (exploding.Enabled && vanishing.Enabled && exploding.GlobalNormThreshold is { } globalHigh && vanishing.AbsoluteThreshold is { } vanishingLow && vanishingLow >= globalHigh)
        {
            throw new ArgumentException($"VanishingGradientOptions.AbsoluteThreshold ({vanishingLow}) must be below ExplodingGradientOptions.GlobalNormThreshold ({globalHigh}); otherwise a layer can be vanishing while the whole model is exploding at the same norm.", nameof(VanishingGradientOptions.AbsoluteThreshold));
        }

        if (stalledConfigured && stalled.Enabled && !options.MeasureUpdateRatio)
        {
            throw new ArgumentException("DetectStalledTraining needs the update ratio, but GradientWatchOptions.MeasureUpdateRatio is false: set it to true, or turn stalled detection off (o.Enabled = false).", nameof(GradientWatchOptions.MeasureUpdateRatio));
        }

        foreach (var r in remedies)
        {
            if (r.Name is "skip_step" or "halt" && r.Options.Trigger == RemedyTrigger.Always)
            {
                throw new ArgumentException($"{r.Name}: RemedyOptions.Trigger is Always, which would {(r.Name == "halt" ? "halt" : "skip")} every step; use RemedyTrigger.OnIssues(...) or WhenGlobalNormAbove(...).", nameof(RemedyOptions.Trigger));
            }

            if (r.Name == "reduce_lr" && r.Options.Trigger == RemedyTrigger.Always)
            {
                throw new ArgumentException("reduce_lr: RemedyOptions.Trigger is Always, which would lower the learning rate again after every cooldown until it reaches MinLearningRate; use RemedyTrigger.OnIssues(...) or WhenGlobalNormAbove(...).", nameof(RemedyOptions.Trigger));
            }

            foreach (var kind in r.Options.Trigger.Kinds)
            {
                if (kind == GradientIssueKind.Stalled)
                {
                    throw new ArgumentException($"{r.Name}: RemedyOptions.Trigger (or PenaltyOptions.WhileIssueActive) reacts to Stalled issues, but stalled training is measured across the optimizer step, after the remedies have run, so the remedy could never act on it. Watch for it with OnEvent or the TrainingStalled alert instead.", nameof(RemedyOptions.Trigger));
                }

                if (!DetectorEnabled(kind))
                {
                    throw new ArgumentException($"{r.Name}: RemedyOptions.Trigger reacts to {kind} issues, but {kind} detection is disabled.", nameof(RemedyOptions.Trigger));
                }
            }
        }

        if (remedies.Count(r => r.Name == "reduce_lr") > 1)
        {
            throw new ArgumentException("ReduceLearningRate was added twice; configure one learning-rate reduction.", nameof(ReduceLearningRate));
        }
    }

    /// <summary>Builds a watcher for <paramref name="module"/> trained by <paramref name="optimizer"/>.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public GradientWatcher Build(nn.Module module, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(optimizer);
        Validate();
        TorchSharpBackend.EnsureAvailable();
        return new GradientWatcher(module, optimizer, options.Clone(), CreatePlan());
    }

    internal Plan CreatePlan() => new(
        (ExplodingGradientOptions)Clone(exploding),
        (VanishingGradientOptions)Clone(vanishing),
        (DeadUnitsOptions)Clone(deadUnits),
        StalledPlan(),
        options.MeasureStepSize ? (OvershootingOptions)Clone(overshooting) : null,
        (UnderflowOptions)Clone(underflow),
        remedies.ToArray(),
        eventCallbacks.ToArray(),
        stepCallbacks.ToArray(),
        attachments.ToArray(),
        loggerFactory);

    private static DetectorOptions Clone(DetectorOptions o) => o.Clone();

    /// <summary>Stalled detection reads the update ratio: without <see cref="GradientWatchOptions.MeasureUpdateRatio"/> it could never fire, so its default instance is left out.</summary>
    private StalledTrainingOptions StalledPlan()
    {
        var plan = (StalledTrainingOptions)Clone(stalled);
        plan.Enabled &= options.MeasureUpdateRatio;
        return plan;
    }

    private bool DetectorEnabled(GradientIssueKind kind) => kind switch
    {
        GradientIssueKind.Exploding => exploding.Enabled,
        GradientIssueKind.Vanishing => vanishing.Enabled,
        GradientIssueKind.DeadUnits => deadUnits.Enabled,
        GradientIssueKind.Stalled => stalled.Enabled,
        GradientIssueKind.Overshooting => options.MeasureStepSize && overshooting.Enabled,
        GradientIssueKind.Underflow => underflow.Enabled,
        _ => true,
    };

    private GradientWatchBuilder Apply<T>(T target, Action<T>? configure)
    {
        configure?.Invoke(target);
        return this;
    }

    private GradientWatchBuilder AddRemedy<T>(string name, T remedyOptions, Action<T>? configure, Func<RemedyOptions, GradientRemedy> factory)
        where T : RemedyOptions
    {
        configure?.Invoke(remedyOptions);
        remedies.Add(new RemedyRegistration(name, remedyOptions, factory));
        return this;
    }

    private static void RequirePositive(double value, string method, string parameter)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"{method}: {parameter} must be a finite number greater than 0.");
        }
    }

    /// <summary>Gradients are float32 in most models: a value beyond float32's range turns into infinity there.</summary>
    private static void RequireFloat32(double value, string method, string parameter)
    {
        if (value > float.MaxValue)
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"{method}: {parameter} must be at most {float.MaxValue:G9} (the largest float32; gradients are float32 in most models), was {value}.");
        }
    }

    internal sealed record RemedyRegistration(string Name, RemedyOptions Options, Func<RemedyOptions, GradientRemedy> Factory);

    /// <summary>An immutable copy of the configuration, from which each watcher creates its own detector and remedy state.</summary>
    internal sealed record Plan(
        ExplodingGradientOptions Exploding,
        VanishingGradientOptions Vanishing,
        DeadUnitsOptions DeadUnits,
        StalledTrainingOptions Stalled,
        OvershootingOptions? Overshooting,
        UnderflowOptions Underflow,
        IReadOnlyList<RemedyRegistration> Remedies,
        IReadOnlyList<Action<GradientEvent>> EventCallbacks,
        IReadOnlyList<Action<StepSnapshot>> StepCallbacks,
        IReadOnlyList<Func<GradientWatcher, IDisposable>> Attachments,
        ILoggerFactory? LoggerFactory)
    {
        public IReadOnlyList<IGradientDetector> CreateDetectors()
        {
            var list = new List<IGradientDetector> { new NonFiniteGradientDetector() };
            if (Exploding.Enabled)
            {
                list.Add(new ExplodingGradientDetector(Exploding));
            }

            if (Vanishing.Enabled)
            {
                list.Add(new VanishingGradientDetector(Vanishing));
            }

            if (DeadUnits.Enabled)
            {
                list.Add(new DeadUnitsDetector(DeadUnits));
            }

            if (Stalled.Enabled)
            {
                list.Add(new StalledTrainingDetector(Stalled));
            }

            if (Overshooting is { Enabled: true })
            {
                list.Add(new OvershootingDetector(Overshooting));
            }

            if (Underflow.Enabled)
            {
                list.Add(new UnderflowDetector(Underflow));
            }

            return list;
        }

        public IReadOnlyList<GradientRemedy> CreateRemedies() => Remedies.Select(r => r.Factory(r.Options)).ToArray();
    }
}
