using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>Absolute, z-score (ZClip-style) and jump triggers for exploding gradients.</summary>
internal sealed class ExplodingGradientDetector : IGradientDetector
{
    private readonly ExplodingGradientOptions options;
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

        if (options.GlobalNormThreshold is { } g && norm > g)
        {
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
                triggers.Add("absolute_layer");
            }
        }

        bool warm = global.Count >= options.WarmupSteps;
        if (options.ZScoreThreshold is { } zt && warm)
        {
            double z = global.ZScore(norm);
            if (z > zt)
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

        if (triggers.Count == 0)
        {
            return;
        }

        var names = flagged.Select(i => snapshot.Layers[i].Name).ToArray();
        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.Exploding,
            Trigger = string.Join('+', triggers),
            Severity = GradientEventSeverity.Error,
            Layers = names,
            ObservedValue = observed,
            Threshold = threshold,
            Details = details,
            Message = string.Create(CultureInfo.InvariantCulture, $"exploding gradients ({string.Join(", ", triggers)}): global norm {norm:G4}; largest in {string.Join(", ", names.Take(3))}"),
        });
    }

    private static IEnumerable<int> TopLayers(StepSnapshot snapshot, int count)
        => snapshot.Layers.Where(l => !l.IsFrozen && double.IsFinite(l.GradientNorm)).OrderByDescending(l => l.GradientNorm).Take(count).Select(l => l.Index);
}
