namespace GradientWatch.Detection;

/// <summary>Counts, per layer, for how many consecutive observations a condition has held.</summary>
internal sealed class LayerStreaks
{
    private readonly int required;
    private int[] counts = Array.Empty<int>();

    public LayerStreaks(int required) => this.required = required;

    /// <summary>
    /// Updates every layer's streak. <paramref name="holds"/> returns null for a layer that was not observed
    /// this time (its streak is kept). Returns the layers whose streak reached the requirement, and whether
    /// any of them reached it just now.
    /// </summary>
    public (List<LayerStatistics> Layers, bool NewlyTripped) Update(IReadOnlyList<LayerStatistics> layers, Func<LayerStatistics, bool?> holds)
    {
        if (counts.Length != layers.Count)
        {
            counts = new int[layers.Count];
        }

        bool newly = false;
        var tripped = new List<LayerStatistics>();
        for (int i = 0; i < layers.Count; i++)
        {
            if (holds(layers[i]) is not { } h)
            {
                continue;
            }

            counts[i] = h ? counts[i] + 1 : 0;
            if (counts[i] >= required)
            {
                tripped.Add(layers[i]);
                newly |= counts[i] == required;
            }
        }

        return (tripped, newly);
    }
}
