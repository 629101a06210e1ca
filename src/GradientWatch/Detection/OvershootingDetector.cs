using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>Steps whose median α over a short window stays above a threshold: the learning rate jumps across the valley.</summary>
internal sealed class OvershootingDetector : IGradientDetector
{
    /// <summary>A loss within this factor of its lowest window mean counts as converged (quiet).</summary>
    internal const double ConvergedLossFactor = 3.0;

    private readonly OvershootingOptions options;
    private readonly PersistentConditionReporter reporter;
    private readonly Queue<double> window = new();
    private readonly Queue<double> losses = new();
    private double lowestWindowMean = double.PositiveInfinity;
    private bool wasHolding;

    public OvershootingDetector(OvershootingOptions options)
    {
        this.options = options;
        reporter = new PersistentConditionReporter(options.RepeatEverySteps);
    }

    public void Detect(StepSnapshot snapshot, List<DetectedIssue> issues)
    {
        if (snapshot.Loss is { } loss && double.IsFinite(loss))
        {
            losses.Enqueue(loss);
            while (losses.Count > 2 * options.WindowSteps)
            {
                losses.Dequeue();
            }

            TrackLowest();
        }

        double alpha = snapshot.StepSizeAlpha;
        if (double.IsNaN(alpha))
        {
            return; // Not measured (first step, skipped step, or no bowl along the step).
        }

        window.Enqueue(alpha);
        while (window.Count > options.WindowSteps)
        {
            window.Dequeue();
        }

        if (window.Count < options.WindowSteps)
        {
            return;
        }

        var sorted = window.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        bool holds = median > options.AlphaThreshold && !(options.QuietWhileLossFalls && LossFalling());
        bool newly = holds && !wasHolding;
        wasHolding = holds;
        if (!reporter.ShouldReport(snapshot.Step, holds, newly))
        {
            return;
        }

        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.Overshooting,
            Trigger = "alpha",
            Severity = GradientEventSeverity.Warning,
            ObservedValue = median,
            Threshold = options.AlphaThreshold,
            Persistent = true,
            Details = new Dictionary<string, double> { ["alpha"] = alpha, ["median_alpha"] = median, ["window"] = window.Count },
            Message = string.Create(CultureInfo.InvariantCulture, $"steps overshoot: median α {median:G3} over the last {window.Count} steps (latest {alpha:G3}, threshold {options.AlphaThreshold:G3}); steps land past the minimum along their direction"),
        });
    }

    /// <summary>
    /// True while training still converges: the mean loss of the latest window is below that of the window before it,
    /// or within <see cref="ConvergedLossFactor"/> of the lowest window mean seen so far (a noisy plateau).
    /// </summary>
    private bool LossFalling()
    {
        int n = options.WindowSteps;
        if (losses.Count < 2 * n)
        {
            return false;
        }

        double earlier = losses.Take(n).Average();
        double later = losses.Skip(n).Average();
        return later < earlier || later <= ConvergedLossFactor * lowestWindowMean;
    }

    private void TrackLowest()
    {
        int n = options.WindowSteps;
        if (losses.Count >= n)
        {
            lowestWindowMean = Math.Min(lowestWindowMean, losses.Skip(losses.Count - n).Average());
        }
    }
}
