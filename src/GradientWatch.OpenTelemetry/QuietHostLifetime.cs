using Microsoft.Extensions.Hosting;

namespace GradientWatch.OpenTelemetry;

/// <summary>A host lifetime that leaves the process alone: no Ctrl+C handling, no console messages.</summary>
internal sealed class QuietHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
