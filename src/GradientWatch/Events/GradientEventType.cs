namespace GradientWatch;

/// <summary>Whether a <see cref="GradientEvent"/> reports a detected issue or an action taken.</summary>
public enum GradientEventType
{
    /// <summary>A detector found an issue.</summary>
    Issue,

    /// <summary>A remedy acted.</summary>
    Remedy,
}
