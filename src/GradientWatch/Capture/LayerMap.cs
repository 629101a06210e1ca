using TorchSharp;
using TorchSharp.Modules;

namespace GradientWatch.Capture;

/// <summary>Maps a module's parameters to the layers GradientWatch reports, in registration order.</summary>
internal sealed class LayerMap
{
    /// <summary>Name used for parameters registered directly on the root module.</summary>
    public const string RootLayerName = "(root)";

    private LayerMap(IReadOnlyList<ParameterEntry> parameters, IReadOnlyList<LayerEntry> layers)
    {
        Parameters = parameters;
        Layers = layers;
    }

    public IReadOnlyList<ParameterEntry> Parameters { get; }

    public IReadOnlyList<LayerEntry> Layers { get; }

    public static LayerMap Build(torch.nn.Module module, LayerGrouping grouping, int depth)
    {
        ArgumentNullException.ThrowIfNull(module);
        var parameters = new List<ParameterEntry>();
        var layerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var layerParams = new List<List<int>>();
        var layerNames = new List<string>();
        var tokenTables = TokenTables(module);
        foreach (var (name, parameter) in module.named_parameters(recurse: true))
        {
            string layer = LayerNameFor(name, grouping, depth);
            if (!layerIndex.TryGetValue(layer, out int li))
            {
                li = layerNames.Count;
                layerIndex[layer] = li;
                layerNames.Add(layer);
                layerParams.Add(new List<int>());
            }

            layerParams[li].Add(parameters.Count);
            int dot = name.LastIndexOf('.');
            bool units = parameter.dim() >= 1 && !tokenTables.Contains(dot < 0 ? "" : name[..dot]);
            parameters.Add(new ParameterEntry(name, parameter, li, units));
        }

        var layers = new LayerEntry[layerNames.Count];
        for (int i = 0; i < layers.Length; i++)
        {
            layers[i] = new LayerEntry(layerNames[i], i, layerParams[i].ToArray());
        }

        return new LayerMap(parameters, layers);
    }

    /// <summary>
    /// Module paths of embedding tables: their rows are tokens, not units, and a token missing from a batch leaves its row
    /// zero, so their rows never count as dead units.
    /// </summary>
    private static HashSet<string> TokenTables(torch.nn.Module module)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, m) in module.named_modules())
        {
            if (m is Embedding or EmbeddingBag)
            {
                paths.Add(name);
            }
        }

        return paths;
    }

    /// <summary>The layer a parameter named <paramref name="parameterName"/> belongs to.</summary>
    public static string LayerNameFor(string parameterName, LayerGrouping grouping, int depth)
    {
        if (grouping == LayerGrouping.Parameter)
        {
            return parameterName;
        }

        int lastDot = parameterName.LastIndexOf('.');
        if (lastDot < 0)
        {
            return RootLayerName;
        }

        string modulePath = parameterName[..lastDot];
        if (grouping == LayerGrouping.OwningModule)
        {
            return modulePath;
        }

        int index = -1;
        for (int segment = 0; segment < depth; segment++)
        {
            index = modulePath.IndexOf('.', index + 1);
            if (index < 0)
            {
                return modulePath;
            }
        }

        return modulePath[..index];
    }
}

/// <summary>
/// One parameter tensor and the layer it belongs to. <paramref name="HasUnits"/>: its rows (dim-0 slices) are units whose
/// all-zero gradient means a dead unit (false for scalars and embedding tables).
/// </summary>
internal sealed record ParameterEntry(string Name, Parameter Parameter, int LayerIndex, bool HasUnits = false);

/// <summary>One reported layer and the indices of its parameters in <see cref="LayerMap.Parameters"/>.</summary>
internal sealed record LayerEntry(string Name, int Index, int[] ParameterIndices);
