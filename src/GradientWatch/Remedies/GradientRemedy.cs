namespace GradientWatch.Remedies;

/// <summary>Base of every remedy: evaluates the trigger and the cooldown, then lets the remedy act.</summary>
internal abstract class GradientRemedy
{
    private long lastActed = long.MinValue;

    protected GradientRemedy(string name, RemedyOptions options)
    {
        Name = name;
        Options = options;
    }

    public string Name { get; }

    public RemedyOptions Options { get; }

    /// <summary>Runs the remedy for one step; returns what it did, or null.</summary>
    public RemedyAction? Run(RemedyContext context)
    {
        bool triggered = Options.Trigger.Matches(context.Snapshot, context.Issues, out var cause);
        bool cooling = Options.CooldownSteps > 0 && lastActed != long.MinValue && context.Step - lastActed <= Options.CooldownSteps;
        RemedyAction? action = triggered && !cooling ? Apply(context, cause) : null;
        action ??= Observe(context, triggered);
        if (action is not null)
        {
            lastActed = context.Step;
        }

        return action;
    }

    /// <summary>Acts on a triggered step outside the cooldown; returns null when nothing needed changing.</summary>
    protected abstract RemedyAction? Apply(RemedyContext context, GradientIssueKind? cause);

    /// <summary>Called on every step the remedy did not act (for recovery and counting). Default: nothing.</summary>
    protected virtual RemedyAction? Observe(RemedyContext context, bool triggered) => null;

    /// <summary>
    /// The cause a gradient-scaling remedy reports: the trigger's issue, or else <c>exploding</c> when an exploding issue
    /// was reported on this step, or else none. Never an issue that did not occur.
    /// </summary>
    protected static GradientIssueKind? ScalingCause(RemedyContext context, GradientIssueKind? cause)
        => cause ?? (context.HasIssue(GradientIssueKind.Exploding) ? GradientIssueKind.Exploding : null);

    /// <summary>
    /// Scales every gradient so that the global norm <paramref name="norm"/> becomes <paramref name="limit"/>, with the same
    /// arithmetic as torch.nn.utils.clip_grad_norm_ (scale by limit / (norm + 1e-6)); returns the scale.
    /// </summary>
    protected static double ClipGlobalNormTo(RemedyContext context, double norm, double limit)
    {
        double scale = limit / (norm + 1e-6);
        context.Editor.ScaleAll(scale);
        return scale;
    }

    protected RemedyAction Action(string message, GradientIssueKind? cause, double? observed = null, double? threshold = null, IReadOnlyDictionary<string, double>? details = null, IReadOnlyList<string>? layers = null)
        => new()
        {
            Remedy = Name,
            Message = message,
            Cause = cause,
            ObservedValue = observed,
            Threshold = threshold,
            Details = details ?? GradientEvent.EmptyDetails,
            Layers = layers ?? Array.Empty<string>(),
        };
}
