using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using GradientWatch.ML.Inference;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using TorchSharp;

namespace GradientWatch.ML.Persistence;

/// <summary>
/// Saves and loads models that contain trained TorchSharp modules. The file is ML.NET's own model zip, unchanged,
/// with extra entries under <c>GradientWatch/</c>: a JSON manifest describing each module and each module's weights
/// (TorchSharp <c>Module.save</c> format). ML.NET ignores entries it does not know, so the file stays one
/// self-contained ML.NET model file.
/// </summary>
internal static class TorchModelFile
{
    public const string ManifestEntry = "GradientWatch/TorchModules.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Save(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);

        var models = new List<TorchModuleModel>();
        Collect(model, models);

        using var buffer = new MemoryStream();
        catalog.Save(model, inputSchema, buffer);
        if (models.Count > 0)
        {
            using var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true);
            var manifest = new TorchModelManifest { Modules = models.Select(m => m.Descriptor).ToList() };
            Write(zip, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
            for (int i = 0; i < models.Count; i++)
            {
                Write(zip, WeightsEntry(i), models[i].SaveWeights());
            }
        }

        buffer.Position = 0;
        buffer.CopyTo(destination);
    }

    public static ITransformer Load(ModelOperationsCatalog catalog, Stream source, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(source);

        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        buffer.Position = 0;

        TorchModelManifest? manifest = null;
        var weights = new List<byte[]>();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true))
        {
            var entry = zip.GetEntry(ManifestEntry);
            if (entry is not null)
            {
                manifest = JsonSerializer.Deserialize<TorchModelManifest>(Read(entry), Json)
                    ?? throw new InvalidDataException($"The model file's entry '{ManifestEntry}' is empty.");
                if (manifest.Format > TorchModuleDescriptor.CurrentFormat)
                {
                    throw new InvalidDataException(
                        $"The model file was written by a newer GradientWatch.ML (format {manifest.Format}); this version reads format {TorchModuleDescriptor.CurrentFormat}. Update GradientWatch.ML.");
                }

                for (int i = 0; i < manifest.Modules.Count; i++)
                {
                    var weightsEntry = zip.GetEntry(WeightsEntry(i))
                        ?? throw new InvalidDataException(
                            $"The model file lists {manifest.Modules.Count} TorchSharp module(s) but has no weights entry '{WeightsEntry(i)}' for module '{manifest.Modules[i].ModuleName}'. " +
                            "The file is incomplete; save the model again with ml.Model.SaveWithTorchModules(...).");
                    weights.Add(Read(weightsEntry));
                }
            }
        }

        buffer.Position = 0;
        ITransformer loaded;
        using (TorchModelLoadScope.Enter())
        {
            loaded = catalog.Load(buffer, out inputSchema);
        }

        int next = 0;
        var result = Replace(loaded, manifest, weights, ref next);
        if (manifest is not null && next != manifest.Modules.Count)
        {
            throw new InvalidDataException(
                $"The model file lists {manifest.Modules.Count} TorchSharp module(s) but its pipeline holds {next}. The file is inconsistent; save the model again with ml.Model.SaveWithTorchModules(...).");
        }

        return result;
    }

    private static ITransformer Replace(ITransformer transformer, TorchModelManifest? manifest, List<byte[]> weights, ref int next)
    {
        if (transformer is CustomMappingTransformer<TorchModulePlaceholderInput, TorchModulePlaceholderOutput>)
        {
            if (manifest is null || next >= manifest.Modules.Count)
            {
                throw new InvalidOperationException(
                    "The model contains a TorchSharp module trained by GradientWatch.ML, but the file holds no weights for it: " +
                    "it was saved with ml.Model.Save, which cannot store them. Save the trained model with ml.Model.SaveWithTorchModules(...) " +
                    "and load that file with ml.Model.LoadWithTorchModules(...).");
            }

            var descriptor = manifest.Modules[next];
            var model = Restore(descriptor, weights[next]);
            next++;
            return TorchTransformerFactory.Create(model);
        }

        if (transformer is TransformerChain<ITransformer> chain)
        {
            var children = new List<ITransformer>();
            bool changed = false;
            foreach (var child in chain)
            {
                var replaced = Replace(child, manifest, weights, ref next);
                changed |= !ReferenceEquals(replaced, child);
                children.Add(replaced);
            }

            return changed ? new TransformerChain<ITransformer>(children, ScopesOf(chain)) : chain;
        }

        return transformer;
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

    private static TorchModuleModel Restore(TorchModuleDescriptor descriptor, byte[] weights)
    {
        var factory = TorchModuleRegistry.Get(descriptor.ModuleName);
        var module = factory(descriptor.FeatureCount, descriptor.ClassCount)
            ?? throw new InvalidOperationException($"The factory registered as '{descriptor.ModuleName}' returned null.");
        try
        {
            using var stream = new MemoryStream(weights, writable: false);
            module.load(stream, strict: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidOperationException(
                $"The saved weights of module '{descriptor.ModuleName}' do not fit the module its registered factory creates " +
                $"({descriptor.FeatureCount} features{(descriptor.Task == TorchModuleTask.MulticlassClassification ? $", {descriptor.ClassCount} classes" : "")}): {ex.Message} " +
                $"Register the same architecture that was trained with TorchModuleRegistry.Register(\"{descriptor.ModuleName}\", ...).",
                ex);
        }

        return new TorchModuleModel(descriptor, module, torch.CPU);
    }

    private static void Collect(ITransformer transformer, List<TorchModuleModel> models)
    {
        if (TorchTransformerFactory.TryGetModel(transformer, out var model))
        {
            models.Add(model);
            return;
        }

        if (transformer is IEnumerable<ITransformer> chain)
        {
            foreach (var child in chain)
            {
                Collect(child, models);
            }
        }
    }

    private static string WeightsEntry(int index) => $"GradientWatch/TorchModule_{index:D3}.weights";

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var stream = entry.Open();
        stream.Write(bytes);
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
