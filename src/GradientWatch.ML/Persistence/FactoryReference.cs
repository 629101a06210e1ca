using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace GradientWatch.ML.Persistence;

/// <summary>
/// How to call a module factory again in another process, stored in the model file. A factory can be recorded when it
/// is a static method, or a lambda (or local function) whose captured variables are numbers, strings, booleans, enums
/// or other such lambdas' closures: the model file then stores the method (type and name) and the captured values,
/// and loading calls it again. A factory that captures anything else (<c>this</c>, an object, a delegate) cannot be
/// recorded; <see cref="Describe"/> then returns null and says why.
/// </summary>
internal sealed class FactoryReference
{
    private const int MaxDepth = 4;

    /// <summary>Assembly-qualified name of the type that declares the method.</summary>
    public string Type { get; set; } = "";

    /// <summary>The method's name.</summary>
    public string Method { get; set; } = "";

    /// <summary>Whether the method is static.</summary>
    public bool Static { get; set; }

    /// <summary>Captured values, by field name, for a closure (null for static and non-capturing lambdas).</summary>
    public Dictionary<string, JsonElement>? Captured { get; set; }

    public static FactoryReference? Describe(Delegate factory, out string? reason)
    {
        try
        {
            return DescribeCore(factory, out reason);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Recording the factory is for saving only; it must never stop training.
            reason = $"reading it failed ({ex.GetType().Name}: {ex.Message})";
            return null;
        }
    }

    private static FactoryReference? DescribeCore(Delegate factory, out string? reason)
    {
        var method = factory.Method;
        var type = method.DeclaringType;
        reason = null;
        if (type is null || type.AssemblyQualifiedName is null || type.ContainsGenericParameters)
        {
            reason = $"its method {method.Name} has no declaring type that can be found again by name";
            return null;
        }

        if (factory.GetInvocationList().Length != 1)
        {
            reason = "it is a multicast delegate";
            return null;
        }

        var reference = new FactoryReference { Type = type.AssemblyQualifiedName, Method = method.Name, Static = method.IsStatic };
        if (method.IsStatic)
        {
            return reference;
        }

        var target = factory.Target;
        if (target is null || !IsClosure(type))
        {
            reason = $"it is an instance method of {type.FullName}, whose object GradientWatch cannot recreate";
            return null;
        }

        var captured = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var refused = new List<string>();
        Capture(target, captured, refused, 0);
        if (refused.Count > 0)
        {
            reason = $"it captures {string.Join(", ", refused)}, which GradientWatch cannot store (only numbers, strings, booleans and enums)";
            return null;
        }

        reference.Captured = captured.Count == 0 ? null : captured;
        return reference;
    }

    /// <summary>Recreates the factory's target and method and returns a callable; throws <see cref="InvalidDataException"/> saying what is missing.</summary>
    /// <remarks>
    /// A model file names the method to call, so only methods that look like module factories are accepted: parameters
    /// exactly <paramref name="arity"/> <see cref="int"/>s, a TorchSharp module as the result, and for instance methods a
    /// compiler-generated closure type. Anything else is refused as damaged data rather than invoked.
    /// </remarks>
    public Func<object?[], object?> Resolve(string moduleName, int arity)
    {
        var type = System.Type.GetType(Type, throwOnError: false)
            ?? throw new InvalidDataException(
                $"The module '{moduleName}' was created by a factory declared in {Type}, which this process cannot find. " +
                "Load the model in an application that references the assembly that trained it.");
        var flags = BindingFlags.Public | BindingFlags.NonPublic | (Static ? BindingFlags.Static : BindingFlags.Instance) | BindingFlags.DeclaredOnly;
        var candidates = type.GetMethods(flags).Where(m => m.Name == Method).ToArray();
        if (candidates.Length != 1)
        {
            throw new InvalidDataException(
                $"The module '{moduleName}' was created by {type.FullName}.{Method}, which {(candidates.Length == 0 ? "no longer exists" : "is ambiguous")} in the loaded assembly " +
                $"({type.Assembly.GetName().Version}). The code changed since the model was saved: load it with the build that trained it, or pass the factory again.");
        }

        var method = candidates[0];
        var parameters = method.GetParameters();
        if (parameters.Length != arity || parameters.Any(p => p.ParameterType != typeof(int))
            || !typeof(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>).IsAssignableFrom(method.ReturnType)
            || (!Static && !IsClosure(type)))
        {
            throw new InvalidDataException(
                $"The model file names {type.FullName}.{Method} as the factory of module '{moduleName}', but that is not a module factory " +
                $"({arity} int parameter(s), returning a TorchSharp module). The model file is damaged or was not written by GradientWatch.ML; it was not run.");
        }

        object? target = null;
        if (!Static)
        {
            target = RuntimeHelpers.GetUninitializedObject(type);
            if (Captured is not null)
            {
                Restore(target, Captured, moduleName, 0);
            }
        }

        return args => method.Invoke(target, args);
    }

    private static bool IsClosure(Type type)
        => type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) || (type.DeclaringType is { } outer && IsClosure(outer) && type.Name.StartsWith('<'));

    private static void Capture(object target, Dictionary<string, JsonElement> captured, List<string> refused, int depth)
    {
        if (depth > MaxDepth)
        {
            refused.Add("closures nested too deeply");
            return;
        }

        foreach (var field in target.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            var value = field.GetValue(target);
            var fieldType = field.FieldType;
            if (IsSimple(fieldType))
            {
                captured[field.Name] = JsonSerializer.SerializeToElement(value, fieldType);
            }
            else if (value is not null && IsClosure(fieldType) && !fieldType.IsSubclassOf(typeof(Delegate)))
            {
                var inner = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                Capture(value, inner, refused, depth + 1);
                captured[field.Name] = JsonSerializer.SerializeToElement(inner);
            }
            else if (value is null && !fieldType.IsValueType)
            {
                captured[field.Name] = JsonSerializer.SerializeToElement<object?>(null);
            }
            else
            {
                refused.Add(field.Name.Contains("__this", StringComparison.Ordinal) ? "this" : $"'{field.Name}' ({fieldType.Name})");
            }
        }
    }

    private static void Restore(object target, Dictionary<string, JsonElement> captured, string moduleName, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException($"The factory of module '{moduleName}' declares closures nested too deeply; the model file is damaged.");
        }

        var type = target.GetType();
        foreach (var (name, json) in captured)
        {
            var field = type.GetField(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                ?? throw new InvalidDataException(
                    $"The factory of module '{moduleName}' captured '{name}', which {type.FullName} no longer has. The code changed since the model was saved.");
            try
            {
                if (IsSimple(field.FieldType) || json.ValueKind == JsonValueKind.Null)
                {
                    field.SetValue(target, json.Deserialize(field.FieldType));
                }
                else
                {
                    var inner = RuntimeHelpers.GetUninitializedObject(field.FieldType);
                    Restore(inner, json.Deserialize<Dictionary<string, JsonElement>>() ?? new(), moduleName, depth + 1);
                    field.SetValue(target, inner);
                }
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException or NotSupportedException)
            {
                throw new InvalidDataException($"The factory of module '{moduleName}' captured '{name}' as {json.GetRawText()}, which is not a valid {field.FieldType.Name}; the model file is damaged.", ex);
            }
        }
    }

    private static bool IsSimple(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Type}.{Method}");
}
