namespace GradientWatch.Corpus.Scoring;

/// <summary>
/// Labels a run from its own trajectory, independently of GradientWatch: mini-batch losses, held-out loss before and
/// after, weight movement per layer and dead hidden units, all recorded by the corpus harness. A pure function; the
/// rules are written down in docs/detection-corpus.md.
/// </summary>
internal static class Labeller
{
    /// <summary>A mini-batch loss above this multiple of the first step's loss is a blow-up.</summary>
    public const double BlowUpFactor = 10;

    /// <summary>A mini-batch loss above this multiple of the median of the previous <see cref="SpikeWindow"/> losses (and above the first loss) is a spike.</summary>
    public const double SpikeFactor = 3;

    /// <summary>Losses the spike rule compares with (up to this many, the ones before the step).</summary>
    public const int SpikeWindow = 10;

    /// <summary>
    /// The first step the spike rule looks at: the second, so that the first optimizer steps are no blind spot (it was
    /// step 6 until issue 11: every run the change relabelled jumped 3.6–7× on step 2 or 3 and fell back).
    /// </summary>
    public const int SpikeFirstStep = 2;

    /// <summary>Vanishing: the first weight layer moved less than this fraction of the last layer's relative movement...</summary>
    public const double VanishingMovementRatio = 0.05;

    /// <summary>...and less than this in relative terms.</summary>
    public const double VanishingMaxMovement = 0.01;

    /// <summary>Dead units: a hidden layer with at least this fraction of units zero on every held-out row.</summary>
    public const double DeadFraction = 0.5;

    /// <summary>Healthy: at least this share of the way from the start loss to the reference.</summary>
    public const double HealthyProgress = 0.5;

    /// <summary>Stalled: less than this share of the way.</summary>
    public const double StalledProgress = 0.1;

    /// <param name="t">The trajectory.</param>
    /// <param name="reference">Held-out loss of the well-tuned reference run on the same data.</param>
    public static RunLabel Label(Runs.Trajectory t, double reference)
    {
        var labels = new SortedSet<LabelKind>();
        var losses = t.Losses;
        double first = losses.Length > 0 ? losses[0] : double.NaN;
        int? nonFinite = null, blowUp = null, spike = null;
        for (int i = 0; i < losses.Length; i++)
        {
            double l = losses[i];
            if (!double.IsFinite(l))
            {
                nonFinite ??= i + 1;
                blowUp ??= i + 1;
                break;
            }

            if (double.IsFinite(first) && l > BlowUpFactor * Math.Max(first, 1e-12))
            {
                blowUp ??= i + 1;
            }

            if (spike is null && i + 1 >= SpikeFirstStep)
            {
                var previous = losses[Math.Max(0, i - SpikeWindow)..i].Order().ToArray();
                double median = previous[previous.Length / 2];
                if (l > SpikeFactor * median && l > first)
                {
                    spike = i + 1;
                }
            }
        }

        bool endedFinite = double.IsFinite(t.EvalFinal);
        bool endedBetter = endedFinite && t.EvalFinal < t.EvalStart;
        double gap = t.EvalStart - reference;
        double progress = !endedFinite ? double.NegativeInfinity : gap > 1e-12 ? (t.EvalStart - t.EvalFinal) / gap : (t.EvalFinal <= reference ? 1 : 0);
        if (nonFinite is not null || !endedFinite || (blowUp is not null && !endedBetter))
        {
            labels.Add(LabelKind.Diverged);
        }
        else if (blowUp is not null || spike is not null)
        {
            labels.Add(LabelKind.RecoveredAfterSpike);
        }

        if (!labels.Contains(LabelKind.Diverged))
        {
            var m = t.LayerMovement;
            if (m.Length >= 3 && double.IsFinite(m[0]) && double.IsFinite(m[^1]) && m[0] < VanishingMaxMovement && m[0] < VanishingMovementRatio * m[^1])
            {
                labels.Add(LabelKind.Vanishing);
            }

            if (progress < StalledProgress)
            {
                labels.Add(LabelKind.Stalled);
            }
        }

        if (t.DeadFractions.Any(d => d >= DeadFraction))
        {
            labels.Add(LabelKind.DeadUnits);
        }

        if (labels.Count == 0)
        {
            labels.Add(progress >= HealthyProgress ? LabelKind.Healthy : LabelKind.Slow);
        }

        return new RunLabel { Labels = labels, BlowUpStep = blowUp ?? (labels.Contains(LabelKind.Diverged) ? spike : null), NonFiniteStep = nonFinite, Progress = progress };
    }
}
