using static TorchSharp.torch;

namespace GradientWatch;

/// <summary>Entry points for watching a TorchSharp training loop.</summary>
public static class GradientWatchExtensions
{
    /// <summary>
    /// Attaches a <see cref="GradientWatcher"/> to <paramref name="module"/> and the
    /// <paramref name="optimizer"/> that trains it.
    /// </summary>
    /// <param name="module">The model whose parameters' gradients are watched.</param>
    /// <param name="optimizer">The optimizer that steps those parameters.</param>
    /// <param name="configure">Configures options, detectors and remedies. Validated before this method returns.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public static GradientWatcher WatchGradients(this nn.Module module, optim.Optimizer optimizer, Action<GradientWatchBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(optimizer);
        var builder = new GradientWatchBuilder();
        configure?.Invoke(builder);
        return builder.Build(module, optimizer);
    }
}
