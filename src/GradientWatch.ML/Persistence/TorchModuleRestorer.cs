using GradientWatch.ML.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.ML.Persistence;

/// <summary>
/// Rebuilds a trained module from its stored form: checks the stored data (<see cref="ModelBlob"/>), creates the module
/// with its factory, and copies the weights in (<see cref="ModuleWeights"/>). The factory is found, in order:
/// registered under the module's name in <see cref="TorchModuleRegistry"/> (an optional override); recorded in the model
/// (<see cref="FactoryReference"/>); the module type's public constructor taking the feature count (and the class count).
/// </summary>
internal static class TorchModuleRestorer
{
    public static TorchModuleModel Restore(ReadOnlySpan<char> stored, Action<string> warn)
    {
        var (descriptor, weights) = ModelBlob.Decode(stored);
        string what = $"The saved weights of module '{descriptor.ModuleName}'";
        var module = CreateModule(descriptor);
        (long nonFinite, long floating) = ModuleWeights.Load(module, weights.Span, what);
        if (nonFinite > 0)
        {
            warn(FormattableString.Invariant($"GradientWatch.ML: {what} hold {nonFinite} non-finite value(s) (NaN or Infinity) of {floating}{(nonFinite == floating ? ", all of them" : "")}; ") +
                "its predictions will be NaN or Infinity. The model was saved after training diverged; watch the training with WithGradientWatch(...) and add remedies such as SkipNonFiniteSteps().");
        }

        return new TorchModuleModel(descriptor, module, torch.CPU);
    }

    private static nn.Module<Tensor, Tensor> CreateModule(TorchModuleDescriptor d)
    {
        bool multiclass = d.Task == TorchModuleTask.MulticlassClassification;
        int arity = multiclass ? 2 : 1;
        object?[] args = multiclass ? [d.FeatureCount, d.ClassCount] : [d.FeatureCount];
        Func<object?[], object?> create;
        string source;
        if (TorchModuleRegistry.TryGet(d.ModuleName, out var registered))
        {
            create = a => registered((int)a[0]!, multiclass ? (int)a[1]! : 1);
            source = $"the factory registered as '{d.ModuleName}'";
        }
        else if (d.Factory is { } factory)
        {
            create = factory.Resolve(d.ModuleName, arity);
            source = $"its factory {factory.Method} in {factory.Type.Split(',')[0]}";
        }
        else if (ModuleTypeConstructor(d, arity) is { } ctor)
        {
            create = ctor.Invoke;
            source = $"the public constructor of {ctor.DeclaringType!.FullName}";
        }
        else
        {
            throw new InvalidOperationException(
                $"The saved model holds the weights of TorchSharp module '{d.ModuleName}', but not a way to create the module: its factory {d.FactoryProblem ?? "was not recorded"}. " +
                "GradientWatch.ML recreates a module from a factory that is a static method or a lambda capturing only numbers, strings, booleans or enums, " +
                "or from a module type with a public constructor taking the feature count (and the class count). " +
                $"Change the factory given to TorchModule(\"{d.ModuleName}\", ...) and train again, or call TorchModuleRegistry.Register(\"{d.ModuleName}\", ...) before loading.");
        }

        object? created;
        try
        {
            created = create(args);
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"Creating module '{d.ModuleName}' with {source} failed: {ex.InnerException.Message}", ex.InnerException);
        }

        return created as nn.Module<Tensor, Tensor>
            ?? throw new InvalidOperationException($"Creating module '{d.ModuleName}' with {source} returned {(created is null ? "null" : created.GetType().FullName)}, not a TorchSharp module.");
    }

    private static System.Reflection.ConstructorInfo? ModuleTypeConstructor(TorchModuleDescriptor d, int arity)
    {
        if (d.ModuleType is null || Type.GetType(d.ModuleType, throwOnError: false) is not { } type
            || !typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(type) || type.IsAbstract)
        {
            return null;
        }

        return type.GetConstructor(Enumerable.Repeat(typeof(int), arity).ToArray());
    }

    /// <summary>The module type's name when it has a public constructor taking <paramref name="arity"/> ints; else null.</summary>
    public static string? RecreatableType(nn.Module module, int arity)
    {
        var type = module.GetType();
        return type.GetConstructor(Enumerable.Repeat(typeof(int), arity).ToArray()) is not null && !type.IsGenericType ? type.AssemblyQualifiedName : null;
    }
}
