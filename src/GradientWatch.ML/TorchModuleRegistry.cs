using System.Collections.Concurrent;
using Microsoft.ML;
using static TorchSharp.torch;

namespace GradientWatch.ML;

/// <summary>
/// Optional named factories of the TorchSharp modules trained by <see cref="GradientWatchCatalog"/>. Loading a model
/// needs none: the model file records the module's factory (see <see cref="GradientWatchCatalog"/>). Register a factory
/// only to override the recorded one (for example after renaming the method that created the module), or when the
/// factory could not be recorded because it captures an object; a factory registered under a module's name is used in
/// place of the recorded one whenever that module is loaded.
/// </summary>
/// <example>
/// <code>
/// // Only when the trained factory captured an object, or to override it:
/// TorchModuleRegistry.Register("house-mlp", features => new HouseMlp(features));
/// var model = ml.Model.Load("model.zip", out var schema);
/// </code>
/// </example>
public static class TorchModuleRegistry
{
    private static readonly ConcurrentDictionary<string, Func<int, int, nn.Module<Tensor, Tensor>>> Factories = new(StringComparer.Ordinal);

    /// <summary>Registers, or replaces, the factory of a regression or binary classification module.</summary>
    /// <param name="name">The module's name, as given to the trainer.</param>
    /// <param name="factory">Creates the module from the number of features.</param>
    public static void Register(string name, Func<int, nn.Module<Tensor, Tensor>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Register(name, (features, _) => factory(features));
    }

    /// <summary>Registers, or replaces, the factory of a multiclass classification module.</summary>
    /// <param name="name">The module's name, as given to the trainer.</param>
    /// <param name="factory">Creates the module from the number of features and the number of classes.</param>
    public static void Register(string name, Func<int, int, nn.Module<Tensor, Tensor>> factory)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[name] = factory;
    }

    /// <summary>True when a factory is registered under <paramref name="name"/>.</summary>
    public static bool IsRegistered(string name) => name is not null && Factories.ContainsKey(name);

    internal static bool Unregister(string name) => Factories.TryRemove(name, out _);

    internal static bool TryGet(string name, out Func<int, int, nn.Module<Tensor, Tensor>> factory)
        => Factories.TryGetValue(name, out factory!);

    internal static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The module name must not be empty; it identifies the module's factory when the model is loaded.", nameof(name));
        }
    }
}
