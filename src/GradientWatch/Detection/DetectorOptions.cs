namespace GradientWatch;

/// <summary>Settings shared by every detector.</summary>
public abstract class DetectorOptions
{
    /// <summary>Whether the detector runs. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// For persistent conditions, how many steps pass between repeated events while the condition lasts.
    /// The first event fires when the condition trips. Default 100.
    /// </summary>
    public int RepeatEverySteps { get; set; } = 100;

    internal string SettingPrefix => GetType().Name;

    internal DetectorOptions Clone() => (DetectorOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public virtual void Validate()
    {
        Require(RepeatEverySteps >= 1, nameof(RepeatEverySteps), $"must be at least 1, was {RepeatEverySteps}.");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="setting"/> unless <paramref name="condition"/> holds.</summary>
    protected void Require(bool condition, string setting, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"{SettingPrefix}.{setting} {message}", setting);
        }
    }

    /// <summary>Validates a threshold that must be a finite positive number when set.</summary>
    protected void RequirePositive(double? value, string setting)
    {
        if (value is { } v)
        {
            Require(double.IsFinite(v) && v > 0, setting, $"must be a finite number greater than 0, was {v}.");
        }
    }
}
