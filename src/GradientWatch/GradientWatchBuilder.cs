using static TorchSharp.torch;

namespace GradientWatch;

/// <summary>
/// Fluent configuration of a <see cref="GradientWatcher"/>: options, detectors and remedies.
/// A builder can build any number of watchers; each gets its own copy of the configuration.
/// </summary>
public sealed class GradientWatchBuilder
{
    private readonly GradientWatchOptions options = new();

    /// <summary>
    /// Things to start with each watcher built, such as a metrics endpoint (added by companion packages).
    /// Each returns what to dispose with the watcher, before its metrics are unregistered.
    /// </summary>
    internal List<Func<GradientWatcher, IDisposable?>> Attachments { get; } = new();

    /// <summary>The options being configured.</summary>
    public GradientWatchOptions Options => options;

    /// <summary>Changes the measurement options.</summary>
    public GradientWatchBuilder Configure(Action<GradientWatchOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(options);
        return this;
    }

    /// <summary>Validates the configuration and throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate() => options.Validate();

    /// <summary>Builds a watcher for <paramref name="module"/> trained by <paramref name="optimizer"/>.</summary>
    public GradientWatcher Build(nn.Module module, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(optimizer);
        Validate();
        var watcher = new GradientWatcher(module, optimizer, options.Clone());
        try
        {
            foreach (var attach in Attachments)
            {
                watcher.Attach(attach(watcher));
            }
        }
        catch
        {
            watcher.Dispose();
            throw;
        }

        return watcher;
    }
}
