using GradientWatch.Detection;
using static TorchSharp.torch;

namespace GradientWatch.Capture;

/// <summary>Reads the module tree once to build the <see cref="ModelProfile"/> used for advice.</summary>
internal static class ModelInspector
{
    public static ModelProfile Inspect(nn.Module module)
    {
        try
        {
            var modules = module.named_modules().Select(m => m.module).ToList();
            var types = modules.Select(m => m.GetType().Name).ToList();
            int parameterized = modules.Count(m => m.named_parameters(recurse: false).Any());
            return ModelProfile.FromModuleTypes(types, parameterized);
        }
        catch (Exception)
        {
            return ModelProfile.Empty;
        }
    }
}
