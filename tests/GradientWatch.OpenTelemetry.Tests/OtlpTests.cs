using System.Text.Json.Nodes;
using GradientWatch.OpenTelemetry.Tests.Support;
using GradientWatch.Telemetry;
using OpenTelemetry.Exporter;

namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>
/// The OTLP path against a real OTLP receiver from the package registries (the standalone Aspire Dashboard from
/// NuGet): GradientWatch's metrics arrive over OTLP/gRPC and OTLP/HTTP, under the service name and instance id
/// that keep many training processes apart.
/// </summary>
[Collection(LiveStacks.Name)]
public sealed class OtlpTests(AspireDashboard receiver) : IClassFixture<AspireDashboard>
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public void Metrics_arrive_at_a_real_otlp_receiver(OtlpExportProtocol protocol)
    {
        string service = $"gradientwatch-otlp-{protocol}".ToLowerInvariant();
        string instance = "trainer-" + Guid.NewGuid().ToString("N")[..6];
        using var metrics = new GradientWatchMetrics("otlp-" + protocol, "mlp", Steps.LayerNames(3), new GradientWatchOptions { FullStatisticsInterval = 1 });
        metrics.DeclareRemedies(["clip_global_norm"]);
        metrics.Record(Steps.Snapshot(1, [1, 2, 3], full: true), [Steps.Issue(GradientIssueKind.Exploding)]);
        using var export = GradientWatchMetricsExport.Start(new GradientWatchExportOptions
        {
            ServePrometheus = false,
            UseOtlpExporter = true,
            OtlpProtocol = protocol,
            // The .NET OTLP exporter posts OTLP/HTTP to the endpoint as given: the signal path is part of it.
            OtlpEndpoint = protocol == OtlpExportProtocol.Grpc ? receiver.GrpcEndpoint : new Uri(receiver.HttpEndpoint, "v1/metrics"),
            OtlpExportInterval = TimeSpan.FromMilliseconds(500),
            ServiceName = service,
            ServiceInstanceId = instance,
        });

        JsonNode? mine = null;
        receiver.WaitUntil(TimeSpan.FromSeconds(30), $"{service} to report metrics over OTLP ({protocol})", () =>
            (mine = receiver.Resources().FirstOrDefault(r => r!["name"]?.GetValue<string>() == service)) is not null
            && mine["hasMetrics"]!.GetValue<bool>());
        Assert.Equal(instance, mine!["instanceId"]?.GetValue<string>());
        Assert.False(mine["hasLogs"]!.GetValue<bool>());
        Assert.False(mine["hasTraces"]!.GetValue<bool>());
    }
}
