namespace GradientWatch;

/// <summary>Severity of a <see cref="GradientEvent"/>.</summary>
public enum GradientEventSeverity
{
    /// <summary>Informational: a remedy acted, or a condition recovered.</summary>
    Info,

    /// <summary>A problem that training may survive, such as a vanishing layer.</summary>
    Warning,

    /// <summary>A problem that damages training if left alone, such as exploding or non-finite gradients.</summary>
    Error,

    /// <summary>Training was halted.</summary>
    Critical,
}
