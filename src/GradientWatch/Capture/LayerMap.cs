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
            parameters.Add(new ParameterEntry(name, parameter, li));
        }

        var layers = new LayerEntry[layerNames.Count];
        for (int i = 0; i < layers.Length; i++)
        {
            layers[i] = new LayerEntry(layerNames[i], i, layerParams[i].ToArray());
        }

        return new LayerMap(parameters, layers);
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

/// <summary>One parameter tensor and the layer it belongs to.</summary>
internal sealed record ParameterEntry(string Name, Parameter Parameter, int LayerIndex);

/// <summary>One reported layer and the indices of its parameters in <see cref="LayerMap.Parameters"/>.</summary>
internal sealed record LayerEntry(string Name, int Index, int[] ParameterIndices);
