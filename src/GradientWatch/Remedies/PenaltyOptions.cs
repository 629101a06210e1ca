namespace GradientWatch;

/// <summary>Options of the L1/L2 gradient penalties: which layers, and when.</summary>
public sealed class PenaltyOptions : RemedyOptions
{
    /// <summary>
    /// Layer names (as reported by the watcher) the penalty applies to; empty means every layer. A name also
    /// matches the layers below it, so <c>encoder</c> covers <c>encoder.0</c> and <c>encoder.2.fc1</c>.
    /// </summary>
    public IList<string> Layers { get; } = new List<string>();

    /// <summary>
    /// When set, the penalty applies only while one of these issues is active (reported on the step);
    /// otherwise it follows <see cref="RemedyOptions.Trigger"/>, which defaults to every step.
    /// </summary>
    public GradientIssueKind[]? WhileIssueActive
    {
        get => whileActive;
        set
        {
            whileActive = value;
            if (value is { Length: > 0 })
            {
                Trigger = RemedyTrigger.OnIssues(value);
            }
        }
    }

    private GradientIssueKind[]? whileActive;
}
