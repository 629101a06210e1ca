using System.Collections;
using System.Reflection;
using GradientWatch.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Watching;

/// <summary>
/// Lists the estimators inside an estimator graph (EstimatorChain, WithOnFitDelegate and other wrappers) by reflecting
/// over their fields, to explain what a pipeline holds and to spot Microsoft.ML.TorchSharp trainers (by namespace; no
/// reference to that package). Best effort: never throws.
/// </summary>
internal static class EstimatorInspector
{
    private const int MaxDepth = 8;

    public static EstimatorInspection Inspect(object estimator)
    {
        var all = new List<Type>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        try
        {
            Walk(estimator, all, visited, 0);
        }
        catch (Exception)
        {
            // Best effort only.
        }

        var upstream = all.Where(IsUpstreamTorchSharp).ToArray();
        return new EstimatorInspection(all, upstream);
    }

    private static bool IsUpstreamTorchSharp(Type type)
        => type.Namespace is { } ns && (ns == "Microsoft.ML.TorchSharp" || ns.StartsWith("Microsoft.ML.TorchSharp.", StringComparison.Ordinal));

    private static void Walk(object? node, List<Type> found, HashSet<object> visited, int depth)
    {
        if (node is null || depth > MaxDepth || !visited.Add(node))
        {
            return;
        }

        if (IsEstimator(node.GetType()))
        {
            bool composite = IsComposite(node.GetType());
            if (!composite)
            {
                found.Add(node.GetType());
            }
        }

        if (node is TorchModuleTrainer)
        {
            return;
        }

        for (var type = node.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPrimitive || field.FieldType == typeof(string))
                {
                    continue;
                }

                object? value = field.GetValue(node);
                if (value is null)
                {
                    continue;
                }

                if (IsEstimator(value.GetType()))
                {
                    Walk(value, found, visited, depth + 1);
                }
                else if (value is IEnumerable items and not string && field.FieldType.IsArray)
                {
                    foreach (var item in items)
                    {
                        if (item is not null && IsEstimator(item.GetType()))
                        {
                            Walk(item, found, visited, depth + 1);
                        }
                    }
                }
            }
        }
    }

    private static bool IsEstimator(Type type)
        => type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEstimator<>));

    private static bool IsComposite(Type type)
        => (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EstimatorChain<>))
           || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(GradientWatchEstimator<>))
           || type.Name.StartsWith("DelegateEstimator", StringComparison.Ordinal);
}
