using GradientWatch.ML.Inference;
using GradientWatch.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;

namespace GradientWatch.ML.Persistence;

/// <summary>
/// Loads a model with ML.NET's own loader, then puts a <see cref="TorchModulePredictionTransformer"/> back in place of
/// every trained module's chain (see <see cref="TorchModuleChain"/>), decoding and checking each stored module at once,
/// so that a damaged file fails here, not at the first prediction, and <c>.Model</c> and permutation feature importance
/// work on the loaded model.
/// </summary>
internal static class TorchModelFile
{
    public static ITransformer Load(ModelOperationsCatalog catalog, Stream source, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(source);
        var loaded = catalog.Load(source, out inputSchema);
        var environment = HostEnvironmentResolver.Resolve(catalog);
        using var channel = environment.Start("LoadWithTorchModules");
        return Restore(loaded, channel);
    }

    private static ITransformer Restore(ITransformer transformer, IChannel channel)
    {
        if (transformer is not TransformerChain<ITransformer> chain)
        {
            return transformer;
        }

        var parts = chain.ToList();
        // A module's chain, as TorchModuleChain builds it: copy, key mapping, lookup, ..., drop.
        if (parts.Count >= 5 && parts[0] is ColumnCopyingTransformer && parts[1] is CustomMappingTransformer<EmptyRow, ModelKeyRow> && parts[^1] is ColumnSelectingTransformer)
        {
            string stored = ReadStored(parts[2]);
            var model = TorchModuleRestorer.Restore(stored, warning => channel.Warning(MessageSensitivity.None, "{0}", warning));
            return new TorchModulePredictionTransformer(model);
        }

        var children = parts.Select(p => Restore(p, channel)).ToList();
        return children.Where((c, i) => !ReferenceEquals(c, parts[i])).Any()
            ? new TransformerChain<ITransformer>(children, ScopesOf(chain))
            : chain;
    }

    /// <summary>Runs the lookup on one row holding the model key and reads the stored module's text.</summary>
    private static string ReadStored(ITransformer lookup)
    {
        var ml = new MLContext(seed: 0);
        var view = lookup.Transform(ml.Data.LoadFromEnumerable(new[] { new ModelKeyRow { Key = 1 } }));
        var column = view.Schema.GetColumnOrNull(CarrierColumns.Model)
            ?? throw new InvalidDataException($"The model holds a GradientWatch module chain without its '{CarrierColumns.Model}' lookup; the file is damaged.");
        using var cursor = view.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        if (cursor.MoveNext())
        {
            getter(ref value);
        }

        return value.ToString();
    }

    private static TransformerScope[] ScopesOf(TransformerChain<ITransformer> chain)
    {
        var all = chain.ToList();
        var scopes = new TransformerScope[all.Count];
        foreach (var scope in new[] { TransformerScope.Training, TransformerScope.Testing, TransformerScope.Scoring })
        {
            var members = new HashSet<ITransformer>(chain.GetModelFor(scope), ReferenceEqualityComparer.Instance);
            for (int i = 0; i < all.Count; i++)
            {
                if (members.Contains(all[i]))
                {
                    scopes[i] |= scope;
                }
            }
        }

        return scopes;
    }
}
