using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace GradientWatch.ML.Training;

/// <summary>
/// Finds the <see cref="MLContext"/> behind a trainer catalog, so that training progress reaches the user's
/// <c>MLContext.Log</c>. ML.NET exposes a catalog's environment only through an internal interface, so this is the one
/// place that reads it by reflection; if that ever fails, messages go to a private context instead and training is
/// unaffected.
/// </summary>
internal static class HostEnvironmentResolver
{
    public static IHostEnvironment Resolve(object catalog)
    {
        try
        {
            foreach (var contract in catalog.GetType().GetInterfaces())
            {
                if (contract.Name == "IInternalCatalog"
                    && contract.GetProperty("Environment", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(catalog) is IHostEnvironment environment)
                {
                    return environment;
                }
            }
        }
        catch (Exception)
        {
            // Fall through to a private context.
        }

        return new MLContext();
    }
}
