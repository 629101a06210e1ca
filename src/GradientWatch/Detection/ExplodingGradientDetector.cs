using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>
/// Exploding-gradient triggers: divergence (norm and loss grow together) and growth (the norm alone grows a lot, on steps
/// without a finite loss), both Error and free of warm-up; absolute thresholds (Error); z-score (ZClip-style) and per-layer jump outliers (Warning).
/// </summary>
internal sealed class ExplodingGradientDetector : IGradientDetector
{
    private readonly ExplodingGradientOptions options;
    private readonly Queue<double> recentNorms = new();
    private readonly Queue<double> recentLosses = new();
    private double firstNorm = double.NaN;
    private double firstLoss = double.NaN;
    private double previousNorm = double.NaN;
    private ExponentialMovingStatistics global;
    private ExponentialMovingStatistics[] layers = Array.Empty<ExponentialMovingStatistics>();

    public ExplodingGradientDetector(ExplodingGradientOptions options)
    {
        this.options = options;
        global = new ExponentialMovingStatistics(options.Smoothing);
    }

    public void Detect(StepSnapshot snapshot, List<DetectedIssue> issues)
    {
        double norm = snapshot.GlobalGradientNorm;
        if (!double.IsFinite(norm))
        {
            return; // Non-finite gradients are the non-finite detector's business; keep the statistics clean.
        }

        if (layers.Length != snapshot.Layers.Count)
        {
            layers = Enumerable.Range(0, snapshot.Layers.Count).Select(_ => new ExponentialMovingStatistics(options.Smoothing)).ToArray();
        }

        var triggers = new List<string>(3);
        var flagged = new SortedSet<int>();
        double? observed = null;
        double? threshold = null;
        var details = new Dictionary<string, double> { ["global_norm"] = norm };
        bool error = false;
        double loss = snapshot.Loss is { } stepLoss && double.IsFinite(stepLoss) ? stepLoss : double.NaN;
        DetectGrowth(norm, loss, triggers, details, ref observed, ref threshold, ref error);
        if (error)
        {
            foreach (var layer in TopLayers(snapshot, 3))
            {
                flagged.Add(layer);
            }
        }

        if (options.GlobalNormThreshold is { } g && norm > g)
        {
            error = true;
            triggers.Add("absolute");
            (observed, threshold) = (norm, g);
            foreach (var l in TopLayers(snapshot, 3))
            {
                flagged.Add(l);
            }
        }

        if (options.LayerNormThreshold is { } lt)
        {
            bool any = false;
            foreach (var layer in snapshot.Layers)
            {
                if (!layer.IsFrozen && layer.GradientNorm > lt)
                {
                    flagged.Add(layer.Index);
                    if (!any && observed is null)
                    {
                        (observed, threshold) = (layer.GradientNorm, lt);
                    }

                    any = true;
                }
            }

            if (any)
            {
                error = true;
                triggers.Add("absolute_layer");
            }
        }

        bool warm = global.Count >= options.WarmupSteps;
        if (options.ZScoreThreshold is { } zt && warm)
        {
            double z = global.ZScore(norm);
            if (z > zt && norm >= options.ZScoreMinimumRatio * global.Mean)
            {
                triggers.Add("zscore");
                observed ??= z;
                threshold ??= zt;
                details["zscore"] = z;
                details["ema_mean"] = global.Mean;
                details["ema_std"] = global.StandardDeviation;
                foreach (var l in TopLayers(snapshot, 3))
                {
                    flagged.Add(l);
                }
            }
        }

        if (options.JumpFactor is { } jf)
        {
            bool any = false;
            for (int i = 0; i < snapshot.Layers.Count; i++)
            {
                var layer = snapshot.Layers[i];
                if (layer.IsFrozen || layers[i].Count < options.WarmupSteps || layers[i].Mean <= 0)
                {
                    continue;
                }

                double factor = layer.GradientNorm / layers[i].Mean;
                if (factor > jf)
                {
                    flagged.Add(i);
                    if (!any)
                    {
                        details["jump_factor"] = factor;
                        observed ??= factor;
                        threshold ??= jf;
                    }

                    any = true;
                }
            }

            if (any)
            {
                triggers.Add("jump");
            }
        }

        // Update the moving statistics; after warm-up, outliers enter clipped (as ZClip does) so one spike does not mask the next.
        double zCap = options.ZScoreThreshold ?? 4.0;
        global.Update(warm ? Math.Min(norm, global.Mean + (zCap * global.StandardDeviation)) : norm);
        for (int i = 0; i < snapshot.Layers.Count; i++)
        {
            var layer = snapshot.Layers[i];
            if (layer.IsFrozen || !double.IsFinite(layer.GradientNorm))
            {
                continue;
            }

            double cap = options.JumpFactor is { } j && layers[i].Count >= options.WarmupSteps ? j * layers[i].Mean : double.PositiveInfinity;
            layers[i].Update(Math.Min(layer.GradientNorm, cap));
        }

        Remember(norm, loss);
        if (triggers.Count == 0)
        {
            return;
        }

        var names = flagged.Select(i => snapshot.Layers[i].Name).ToArray();
        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.Exploding,
            Trigger = string.Join('+', triggers),
            Severity = error ? GradientEventSeverity.Error : GradientEventSeverity.Warning,
            Layers = names,
            ObservedValue = observed,
            Threshold = threshold,
            Details = details,
            Message = string.Create(CultureInfo.InvariantCulture, $"exploding gradients ({string.Join(", ", triggers)}): global norm {norm:G4}{Growth(details)}; largest in {string.Join(", ", names.Take(3))}"),
        });
    }

    /// <summary>The divergence and growth triggers: against the first step's values and the recent medians, from the second step on; growth only on steps without a finite loss.</summary>
    private void DetectGrowth(double norm, double loss, List<string> triggers, Dictionary<string, double> details, ref double? observed, ref double? threshold, ref bool error)
    {
        if (double.IsNaN(firstNorm))
        {
            return; // The first step is the reference.
        }

        double medianNorm = recentNorms.Count >= 3 ? Median(recentNorms) : double.NaN;
        if (options.DivergenceNormFactor is { } d && double.IsFinite(loss) && firstLoss > 0)
        {
            double lf = options.DivergenceLossFactor;
            bool fromStart = norm >= d * firstNorm && loss >= lf * firstLoss;
            double medianLoss = recentLosses.Count >= 3 ? Median(recentLosses) : double.NaN;
            bool fromRecent = medianNorm > 0 && medianLoss > 0 && norm >= d * medianNorm && loss >= lf * medianLoss && loss >= firstLoss;
            if (fromStart || fromRecent)
            {
                error = true;
                triggers.Add("divergence");
                double baseNorm = fromStart ? firstNorm : medianNorm;
                double baseLoss = fromStart ? firstLoss : medianLoss;
                observed ??= norm / baseNorm;
                threshold ??= d;
                details["norm_growth"] = norm / baseNorm;
                details["loss_growth"] = loss / baseLoss;
                details["loss"] = loss;
            }
        }

        // The norm alone is evidence only on a step without a finite loss (a loop that passes none): with one, divergence
        // decides, and a norm that grows while the loss does not (deep networks leaving a flat start) is training.
        if (options.GrowthFactor is { } gf && double.IsNaN(loss) && norm > previousNorm
            && (norm >= gf * firstNorm || (medianNorm > 0 && norm >= gf * medianNorm)))
        {
            error = true;
            triggers.Add("growth");
            double growth = norm / Math.Min(firstNorm, double.IsNaN(medianNorm) ? firstNorm : medianNorm);
            observed ??= growth;
            threshold ??= gf;
            details["norm_growth"] = growth;
        }
    }

    private static string Growth(Dictionary<string, double> details)
    {
        string text = details.TryGetValue("norm_growth", out double n) ? string.Create(CultureInfo.InvariantCulture, $" ({n:G3}× its reference)") : string.Empty;
        return details.TryGetValue("loss_growth", out double l) ? text + string.Create(CultureInfo.InvariantCulture, $", loss {details["loss"]:G4} ({l:G3}× its reference)") : text;
    }

    private void Remember(double norm, double loss)
    {
        if (double.IsNaN(firstNorm) && norm > 0)
        {
            firstNorm = norm;
        }

        if (double.IsNaN(firstLoss) && double.IsFinite(loss))
        {
            firstLoss = loss;
        }

        previousNorm = norm;
        Push(recentNorms, norm);
        if (double.IsFinite(loss))
        {
            Push(recentLosses, loss);
        }
    }

    private void Push(Queue<double> queue, double value)
    {
        queue.Enqueue(value);
        while (queue.Count > options.RecentSteps)
        {
            queue.Dequeue();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static IEnumerable<int> TopLayers(StepSnapshot snapshot, int count)
        => snapshot.Layers.Where(l => !l.IsFrozen && double.IsFinite(l.GradientNorm)).OrderByDescending(l => l.GradientNorm).Take(count).Select(l => l.Index);
}
