using static TorchSharp.torch;

namespace GradientWatch.ML.Watching;

/// <summary>
/// The ambient GradientWatch configuration during the <c>Fit</c> of a pipeline wrapped with <c>WithGradientWatch</c>.
/// Set by the wrapping estimator, read by every GradientWatch-aware trainer that trains inside that <c>Fit</c>, which
/// attaches a watcher built from it and reports back its run.
/// </summary>
internal sealed class GradientWatchFitContext
{
    private static readonly AsyncLocal<GradientWatchFitContext?> Ambient = new();
    private readonly object gate = new();
    private readonly List<GradientWatchTrainerRun> runs = new();

    public GradientWatchFitContext(Action<GradientWatchBuilder> configure) => Configure = configure;

    public static GradientWatchFitContext? Current => Ambient.Value;

    public Action<GradientWatchBuilder> Configure { get; }

    public IReadOnlyList<GradientWatchTrainerRun> Runs
    {
        get
        {
            lock (gate)
            {
                return runs.ToArray();
            }
        }
    }

    public static IDisposable Enter(GradientWatchFitContext context)
    {
        var previous = Ambient.Value;
        Ambient.Value = context;
        return new Scope(previous);
    }

    /// <summary>Builds a watcher with the configured detectors, remedies and sinks; the model is named after the module unless configured.</summary>
    public GradientWatcher CreateWatcher(nn.Module module, optim.Optimizer optimizer, string moduleName)
    {
        var builder = new GradientWatchBuilder();
        Configure(builder);
        builder.Options.ModelName ??= moduleName;
        return builder.Build(module, optimizer);
    }

    public void Report(GradientWatchTrainerRun run)
    {
        lock (gate)
        {
            runs.Add(run);
        }
    }

    private sealed class Scope(GradientWatchFitContext? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
