namespace GradientWatch.Corpus.Scoring;

/// <summary>
/// What the vanishing and dead-unit detectors read, summarized per run from the statistics GradientWatch measured (kept
/// in the trajectory for analysis; the labeller never reads them): how close each run came to tripping them.
/// </summary>
internal static class DetectorInputs
{
    /// <summary>
    /// The lowest median, over any <paramref name="window"/> consecutive steps with a finite global norm, of a layer's
    /// gradient norm over the step's largest layer norm (an exactly-zero gradient counts as +∞, as the detector treats
    /// it). +∞ when no layer has a full window.
    /// </summary>
    public static double LowestVanishingRatio(Runs.Trajectory t, int window = 10)
    {
        var norms = t.LayerGradientNorms;
        int layers = norms.Length == 0 ? 0 : norms[0].Length;
        var history = Enumerable.Range(0, layers).Select(_ => new List<double>()).ToArray();
        double lowest = double.PositiveInfinity;
        for (int s = 0; s < norms.Length; s++)
        {
            if (s < t.GradientNorms.Length && !double.IsFinite(t.GradientNorms[s]))
            {
                continue;
            }

            double max = norms[s].Where(double.IsFinite).DefaultIfEmpty(0).Max();
            for (int i = 0; i < layers; i++)
            {
                double v = norms[s][i];
                history[i].Add(v > 0 && max > 0 ? v / max : double.PositiveInfinity);
                if (history[i].Count >= window)
                {
                    lowest = Math.Min(lowest, Median(history[i].Skip(history[i].Count - window)));
                }
            }
        }

        return lowest;
    }

    /// <summary>
    /// The lowest share, over layers and steps that measured the update ratio, of a layer's median ‖Δw‖/‖w‖ over its last
    /// <paramref name="measurements"/> measurements in the fastest-moving layer's median (how the vanishing detector's
    /// update gate reads it). +∞ when fewer measurements exist.
    /// </summary>
    public static double LowestUpdateShare(Runs.Trajectory t, int measurements = 3)
    {
        var ratios = t.LayerUpdateRatios;
        int layers = ratios.Length == 0 ? 0 : ratios[0].Length;
        var history = Enumerable.Range(0, layers).Select(_ => new List<double>()).ToArray();
        double lowest = double.PositiveInfinity;
        foreach (var step in ratios)
        {
            if (!step.Any(double.IsFinite))
            {
                continue;
            }

            for (int i = 0; i < layers; i++)
            {
                history[i].Add(double.IsFinite(step[i]) ? step[i] : double.PositiveInfinity);
            }

            if (history.Any(h => h.Count < measurements))
            {
                continue;
            }

            var medians = history.Select(h => Median(h.Skip(h.Count - measurements))).ToArray();
            double fastest = medians.Where(double.IsFinite).DefaultIfEmpty(0).Max();
            if (fastest > 0)
            {
                lowest = Math.Min(lowest, medians.Min() / fastest);
            }
        }

        return lowest;
    }

    /// <summary>
    /// The highest value, over layers, of the smallest <paramref name="fractions"/> entry in any <paramref name="window"/>
    /// consecutive measured steps with a finite global norm: the level a dead-unit threshold could stand at and still trip.
    /// 0 when no layer has a full window.
    /// </summary>
    public static double HighestSustainedFraction(Runs.Trajectory t, double[][] fractions, int window = 5)
    {
        int layers = fractions.Length == 0 ? 0 : fractions[0].Length;
        double highest = 0;
        for (int i = 0; i < layers; i++)
        {
            var measured = new List<double>();
            for (int s = 0; s < fractions.Length; s++)
            {
                if (double.IsNaN(fractions[s][i]) || (s < t.GradientNorms.Length && !double.IsFinite(t.GradientNorms[s])))
                {
                    continue;
                }

                measured.Add(fractions[s][i]);
                if (measured.Count >= window)
                {
                    highest = Math.Max(highest, measured.Skip(measured.Count - window).Min());
                }
            }
        }

        return highest;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
