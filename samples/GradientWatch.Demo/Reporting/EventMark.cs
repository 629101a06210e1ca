using ScottPlot;

namespace GradientWatch.Demo.Reporting;

/// <summary>How an event is marked on a plot: one colour and legend entry per issue kind or notable remedy.</summary>
internal sealed record EventMark(string Legend, Color Color)
{
    private static readonly EventMark Exploding = new("exploding detected", Colors.Red);
    private static readonly EventMark NonFinite = new("non-finite detected", Colors.Black);
    private static readonly EventMark Vanishing = new("vanishing detected", Colors.SteelBlue);
    private static readonly EventMark LearningRate = new("learning rate reduced", Colors.DarkOrange);
    private static readonly EventMark Skipped = new("step skipped", Colors.Purple);
    private static readonly EventMark Overshooting = new("overshooting detected", Colors.Magenta);

    /// <summary>True for the overshooting mark.</summary>
    public static bool IsOvershooting(EventMark mark) => ReferenceEquals(mark, Overshooting);

    /// <summary>The mark for <paramref name="e"/>, or null for events not worth a line (clipping happens on most steps).</summary>
    public static EventMark? Of(GradientEvent e) => e.Type == GradientEventType.Issue
        ? e.Kind switch
        {
            GradientIssueKind.Exploding => Exploding,
            GradientIssueKind.NonFinite => NonFinite,
            GradientIssueKind.Vanishing => Vanishing,
            GradientIssueKind.Overshooting => Overshooting,
            _ => null,
        }
        : e.Remedy switch
        {
            "reduce_lr" => LearningRate,
            "skip_step" => Skipped,
            _ => null,
        };
}
