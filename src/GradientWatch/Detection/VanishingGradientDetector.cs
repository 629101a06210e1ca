using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>
/// Layers whose gradient norm stays below an absolute threshold, or below a fraction of the step's largest layer norm:
/// the layer's median over the last K steps is below the threshold. A layer whose gradient is exactly zero is not
/// vanishing but cut off (every unit it feeds is dead, which dead-unit detection reports, or it is unused): such steps
/// count as not vanishing. When the watcher measures the update ratio ‖Δw‖/‖w‖ (full-statistics steps), a layer is
/// vanishing only while its weights also barely move: the median of its last measured update ratios is below
/// <see cref="VanishingGradientOptions.RelativeUpdateThreshold"/> of the fastest-moving layer's. A small gradient that
/// the optimizer scales back up (Adam and its kin) leaves the layer learning, which is not the problem vanishing means.
/// Runs after the optimizer step, so the update ratio of the current step is known.
/// </summary>
internal sealed class VanishingGradientDetector : IGradientDetector
{
    private readonly VanishingGradientOptions options;
    private readonly PersistentConditionReporter reporter;
    private readonly LayerMedians relative;
    private readonly LayerMedians absolute;
    private readonly LayerMedians updates;
    private double[] updateShares = Array.Empty<double>();
    private bool measuresUpdates;
    private bool[] wasVanishing = Array.Empty<bool>();

    public VanishingGradientDetector(VanishingGradientOptions options)
    {
        this.options = options;
        reporter = new PersistentConditionReporter(options.RepeatEverySteps);
        relative = new LayerMedians(options.ConsecutiveSteps);
        absolute = new LayerMedians(options.ConsecutiveSteps);
        updates = new LayerMedians(options.UpdateMeasurements);
    }

    /// <summary>Runs after the optimizer step: the update ratio is measured across it.</summary>
    public bool AfterStep => true;

    public void Detect(StepSnapshot snapshot, List<DetectedIssue> issues)
    {
        if (snapshot.HasNonFinite && !double.IsFinite(snapshot.GlobalGradientNorm))
        {
            return;
        }

        var layers = snapshot.Layers;
        double max = 0;
        foreach (var l in layers)
        {
            if (!l.IsFrozen && l.GradientNorm > max)
            {
                max = l.GradientNorm;
            }
        }

        // +∞ marks a step on which the layer cannot be vanishing: frozen, exactly zero (cut off), or nothing to compare with.
        var ratios = relative.Update(layers, l => Measurable(l) && max > 0 ? l.GradientNorm / max : double.PositiveInfinity);
        var norms = absolute.Update(layers, l => Measurable(l) ? l.GradientNorm : double.PositiveInfinity);
        TrackUpdates(layers);
        if (wasVanishing.Length != layers.Count)
        {
            wasVanishing = new bool[layers.Count];
        }

        var vanishing = new List<int>();
        bool newlyTripped = false;
        for (int i = 0; i < layers.Count; i++)
        {
            bool holds = ((options.AbsoluteThreshold is { } a && norms[i] < a) || (options.RelativeThreshold is { } r && ratios[i] < r)) && BarelyMoves(i);
            newlyTripped |= holds && !wasVanishing[i];
            wasVanishing[i] = holds;
            if (holds)
            {
                vanishing.Add(i);
            }
        }

        if (!reporter.ShouldReport(snapshot.Step, vanishing.Count > 0, newlyTripped))
        {
            return;
        }

        var trainable = layers.Where(l => !l.IsFrozen).ToArray();
        double profile = trainable.Length >= 2 && trainable[^1].GradientNorm > 0 ? trainable[0].GradientNorm / trainable[^1].GradientNorm : double.NaN;
        int worst = vanishing.MinBy(i => ratios[i]);
        bool isRelative = options.RelativeThreshold is { } rel && ratios[worst] < rel;
        var names = vanishing.Select(i => layers[i]).ToArray();
        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.Vanishing,
            Trigger = isRelative ? "relative" : "absolute",
            Severity = GradientEventSeverity.Warning,
            Layers = names.Select(l => l.Name).ToArray(),
            ObservedValue = isRelative ? ratios[worst] : norms[worst],
            Threshold = isRelative ? options.RelativeThreshold : options.AbsoluteThreshold,
            Persistent = true,
            Details = new Dictionary<string, double>
            {
                ["depth_profile"] = profile,
                ["vanishing_layers"] = vanishing.Count,
                ["min_norm"] = layers[worst].GradientNorm,
                ["max_norm"] = max,
                ["median_ratio"] = ratios[worst],
                ["update_share"] = UpdateShare(worst),
            },
            Message = string.Create(CultureInfo.InvariantCulture, $"vanishing gradients in {vanishing.Count} of {trainable.Length} layers ({Describe(names)}) over the last {options.ConsecutiveSteps} steps (median norm ratio to the largest layer {ratios[worst]:G3}{MovesNote(worst)}); first/last layer norm ratio {profile:G3}"),
        });
    }

    internal static string Describe(IReadOnlyList<LayerStatistics> layers)
        => layers.Count <= 3 ? string.Join(", ", layers.Select(l => l.Name)) : $"{layers[0].Name} … {layers[^1].Name}";

    /// <summary>
    /// On steps that measured the update ratio: each layer's median over its last measured ratios, as a share of the
    /// fastest-moving layer's median (NaN until enough measurements; +∞ for a layer without one, such as a frozen one).
    /// </summary>
    private void TrackUpdates(IReadOnlyList<LayerStatistics> layers)
    {
        if (!layers.Any(l => double.IsFinite(l.UpdateToWeightRatio)))
        {
            return;
        }

        measuresUpdates = true;
        var medians = updates.Update(layers, l => double.IsFinite(l.UpdateToWeightRatio) ? l.UpdateToWeightRatio : double.PositiveInfinity);
        double fastest = medians.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        updateShares = medians.Select(m => fastest > 0 ? m / fastest : double.NaN).ToArray();
    }

    /// <summary>
    /// True when layer <paramref name="i"/>'s weights barely move, or when nothing tells: the update gate is off, or
    /// the watcher does not measure update ratios. While fewer than the required measurements exist, false.
    /// </summary>
    private bool BarelyMoves(int i)
        => options.RelativeUpdateThreshold is not { } u || !measuresUpdates || (i < updateShares.Length && updateShares[i] < u);

    private double UpdateShare(int i) => i < updateShares.Length ? updateShares[i] : double.NaN;

    private string MovesNote(int i)
        => double.IsNaN(UpdateShare(i)) ? "" : string.Create(CultureInfo.InvariantCulture, $"; its weights move {UpdateShare(i):G3}× as fast as the fastest layer's");

    private static bool Measurable(LayerStatistics l) => !l.IsFrozen && l.GradientNorm > 0;
}
