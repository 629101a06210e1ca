namespace GradientWatch;

/// <summary>The kinds of gradient problems GradientWatch detects.</summary>
public enum GradientIssueKind
{
    /// <summary>Gradient norms far above normal: absolute threshold, z-score spike, or a sudden jump.</summary>
    Exploding,

    /// <summary>Layer gradient norms persistently near zero, typically toward the input of deep networks.</summary>
    Vanishing,

    /// <summary>NaN or ±Inf in a gradient or in the loss.</summary>
    NonFinite,

    /// <summary>A layer whose gradient is mostly exact zeros for many steps (for example dead ReLUs).</summary>
    DeadUnits,

    /// <summary>The update-to-weight ratio persistently tiny: the weights have stopped moving.</summary>
    Stalled,

    /// <summary>Steps overshoot the minimum along their direction: the learning rate is too large.</summary>
    Overshooting,

    /// <summary>Many gradient elements below float16's (or bfloat16's) smallest normal number: a mixed-precision underflow risk.</summary>
    Underflow,
}
