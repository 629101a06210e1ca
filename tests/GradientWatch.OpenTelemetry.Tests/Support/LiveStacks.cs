namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// The live stacks (Prometheus; Prometheus remote-writing to VictoriaMetrics) each start several training processes
/// and servers: their test classes share this collection so that only one stack runs at a time on a small machine.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LiveStacks
{
    public const string Name = "Live monitoring stacks";
}
