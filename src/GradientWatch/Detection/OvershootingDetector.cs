using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>Steps whose median α over a short window stays above a threshold: the learning rate jumps across the valley.</summary>
internal sealed class OvershootingDetector : IGradientDetector
{
    /// <summary>A loss within this factor of its lowest window mean counts as converged (quiet).</summary>
    internal const double ConvergedLossFactor = 3.0;

    private double firstLoss = double.NaN;

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
            if (double.IsNaN(firstLoss))
            {
                firstLoss = loss;
            }

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
        bool holds = median > options.AlphaThreshold && !(options.QuietWhileLossFalls && !double.IsNaN(firstLoss) && !LossRising());
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
    /// True when the loss rises persistently, so training is being undone: the mean loss of the latest window is above
    /// that of the steps before it (up to one window), above <see cref="ConvergedLossFactor"/> × the lowest window mean
    /// seen so far, and above the first loss of the run. Anything else (falling, a noisy plateau, a bump that stays below
    /// where training started) is how momentum and large-but-stable learning rates converge.
    /// </summary>
    private bool LossRising()
    {
        int n = options.WindowSteps;
        if (losses.Count <= n)
        {
            return false;
        }

        int earlierCount = losses.Count - n;
        double earlier = losses.Take(earlierCount).Average();
        double later = losses.Skip(earlierCount).Average();
        return later > earlier && later > ConvergedLossFactor * lowestWindowMean && later > firstLoss;
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
