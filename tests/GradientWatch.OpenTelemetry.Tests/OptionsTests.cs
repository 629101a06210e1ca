namespace GradientWatch.OpenTelemetry.Tests;

/// <summary>Bad telemetry settings throw at build time with a message naming the setting.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void MaxExportedLayers_out_of_range_is_rejected(int value)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GradientWatchOptions { MaxExportedLayers = value }.Validate());
        Assert.Contains("MaxExportedLayers", ex.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(7200)]
    public void MetricsPeakWindow_out_of_range_is_rejected(double seconds)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GradientWatchOptions { MetricsPeakWindow = TimeSpan.FromSeconds(seconds) }.Validate());
        Assert.Contains("MetricsPeakWindow", ex.Message);
    }

    public static TheoryData<string, Action<GradientWatchExportOptions>> BadExportOptions => new()
    {
        { "Port", o => o.Port = 70000 },
        { "Port", o => o.Port = -1 },
        { "Host", o => o.Host = "not a host" },
        { "Path", o => o.Path = "metrics" },
        { "Path", o => o.Path = "/metrics?x=1" },
        { "Path", o => o.Path = "/metrics#top" },
        { "Path", o => o.Path = "/met%72ics" },
        { "Path", o => o.Path = "/a\\b" },
        { "ShutdownTimeout", o => o.ShutdownTimeout = TimeSpan.FromSeconds(-1) },
        { "ShutdownTimeout", o => o.ShutdownTimeout = TimeSpan.FromHours(1) },
        { "ServePrometheus", o => o.ServePrometheus = false },
        { "OtlpEndpoint", o => { o.UseOtlpExporter = true; o.OtlpEndpoint = new Uri("ftp://collector:4317"); } },
        { "OtlpExportInterval", o => { o.UseOtlpExporter = true; o.OtlpExportInterval = TimeSpan.Zero; } },
        { "ServiceName", o => o.ServiceName = " " },
    };

    [Theory]
    [MemberData(nameof(BadExportOptions))]
    public void Bad_export_options_are_rejected_when_configured(string setting, Action<GradientWatchExportOptions> configure)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GradientWatchBuilder().ExportMetrics(configure));
        Assert.Contains("GradientWatchExportOptions." + setting, ex.Message);
    }

    [Fact]
    public void Defaults_bind_loopback_on_the_prometheus_exporter_port()
    {
        var o = new GradientWatchExportOptions();
        o.Validate();
        Assert.Equal("127.0.0.1", o.Host);
        Assert.Equal(9464, o.Port);
        Assert.Equal("/metrics", o.Path);
        Assert.True(o.ServePrometheus);
        Assert.False(o.UseOtlpExporter);
    }
}
