using System.Globalization;

namespace GradientWatch.Telemetry;

/// <summary>
/// Which layers get a series of their own. With more layers than the cap, layers evenly spaced across
/// the depth of the model are kept (always the first and the last), so a heatmap by depth still shows
/// the whole profile; every other layer is folded into one <c>_other</c> series.
/// </summary>
internal sealed class ExportedLayers
{
    private readonly int[] slotOfLayer;

    private ExportedLayers(int[] slotOfLayer, string[] names, int[] depth, bool hasOther)
    {
        this.slotOfLayer = slotOfLayer;
        Names = names;
        Depth = depth;
        HasOther = hasOther;
    }

    /// <summary>Label value of each slot; the last one is <c>_other</c> when <see cref="HasOther"/>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Layer index (depth) of each slot, or -1 for <c>_other</c>.</summary>
    public IReadOnlyList<int> Depth { get; }

    /// <summary>True when some layers are folded into the aggregate series.</summary>
    public bool HasOther { get; }

    /// <summary>Number of exported series per per-layer instrument.</summary>
    public int SlotCount => Names.Count;

    /// <summary>The slot of layer <paramref name="layerIndex"/>, or -1 if out of range.</summary>
    public int SlotOf(int layerIndex) => (uint)layerIndex < (uint)slotOfLayer.Length ? slotOfLayer[layerIndex] : -1;

    public static ExportedLayers Create(IReadOnlyList<string> layerNames, int maxExportedLayers)
    {
        int n = layerNames.Count;
        var keep = new bool[n];
        if (n <= maxExportedLayers)
        {
            Array.Fill(keep, true);
        }
        else if (maxExportedLayers == 1)
        {
            keep[n - 1] = true;
        }
        else
        {
            for (int i = 0; i < maxExportedLayers; i++)
            {
                keep[(int)Math.Round(i * (n - 1) / (double)(maxExportedLayers - 1), MidpointRounding.AwayFromZero)] = true;
            }
        }

        var slotOfLayer = new int[n];
        var names = new List<string>();
        var depth = new List<int>();
        var used = new HashSet<string>(StringComparer.Ordinal) { GradientWatchMetricNames.OtherLayer };
        for (int i = 0; i < n; i++)
        {
            if (!keep[i])
            {
                continue;
            }

            string name = MetricLabels.Sanitize(layerNames[i]);
            if (!used.Add(name))
            {
                name = MetricLabels.Sanitize(name + "#" + i.ToString(CultureInfo.InvariantCulture));
                used.Add(name);
            }

            slotOfLayer[i] = names.Count;
            names.Add(name);
            depth.Add(i);
        }

        bool hasOther = names.Count < n;
        if (hasOther)
        {
            int other = names.Count;
            names.Add(GradientWatchMetricNames.OtherLayer);
            depth.Add(-1);
            for (int i = 0; i < n; i++)
            {
                if (!keep[i])
                {
                    slotOfLayer[i] = other;
                }
            }
        }

        return new ExportedLayers(slotOfLayer, names.ToArray(), depth.ToArray(), hasOther);
    }
}
