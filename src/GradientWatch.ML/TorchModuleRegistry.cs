using System.Collections.Concurrent;
using Microsoft.ML;
using static TorchSharp.torch;

namespace GradientWatch.ML;

/// <summary>
/// Named factories of the TorchSharp modules trained by <see cref="GradientWatchCatalog"/>. A saved model stores the
/// module's name and weights, not its code, so the process that loads it must register the same factory under the
/// same name before calling <see cref="GradientWatchCatalog.LoadWithTorchModules(ModelOperationsCatalog, string, out DataViewSchema)"/>.
/// Creating a trainer registers its factory, so saving and loading in one process needs nothing more.
/// </summary>
/// <example>
/// <code>
/// // In the service that only predicts:
/// TorchModuleRegistry.Register("house-mlp", features => new HouseMlp(features));
/// var model = ml.Model.LoadWithTorchModules("model.zip", out var schema);
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

    internal static Func<int, int, nn.Module<Tensor, Tensor>> Get(string name)
    {
        if (Factories.TryGetValue(name, out var factory))
        {
            return factory;
        }

        throw new InvalidOperationException(
            $"No TorchSharp module factory is registered under the name '{name}', so the saved weights have no module to load into. " +
            $"Before loading, call TorchModuleRegistry.Register(\"{name}\", ...) with the factory that created the module for training.");
    }

    internal static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The module name must not be empty; it identifies the module's factory when the model is loaded.", nameof(name));
        }
    }
}
