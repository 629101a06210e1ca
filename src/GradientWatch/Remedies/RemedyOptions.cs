namespace GradientWatch;

/// <summary>Settings shared by every remedy: when it acts and how long it rests afterwards.</summary>
public class RemedyOptions
{
    /// <summary>When the remedy acts. Each remedy sets its own default.</summary>
    public RemedyTrigger Trigger { get; set; } = RemedyTrigger.Always;

    /// <summary>Steps after acting during which the remedy does not act again. Default 0 (may act every step).</summary>
    public int CooldownSteps { get; set; }

    internal virtual void Validate(string remedy)
    {
        if (Trigger is null)
        {
            throw new ArgumentException($"{remedy}: RemedyOptions.Trigger must be set.", nameof(Trigger));
        }

        if (CooldownSteps < 0)
        {
            throw new ArgumentException($"{remedy}: RemedyOptions.CooldownSteps must be 0 or more, was {CooldownSteps}.", nameof(CooldownSteps));
        }
    }
}
