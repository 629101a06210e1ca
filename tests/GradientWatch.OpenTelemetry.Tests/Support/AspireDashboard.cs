using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// A real OTLP receiver on 127.0.0.1: the standalone Aspire Dashboard from NuGet (Aspire.Dashboard.Sdk.linux-x64,
/// restored with this test project), unsecured, with OTLP/gRPC and OTLP/HTTP endpoints and its telemetry HTTP API.
/// Its folder is copied to a scratch directory (the NuGet cache is never touched). Stopped by PID.
/// </summary>
public sealed class AspireDashboard : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "gradientwatch-aspire-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ProcessGroup processes;
    private readonly PromApi api;

    public AspireDashboard()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("The OTLP receiver used by these tests (Aspire.Dashboard.Sdk.linux-x64) runs on linux-x64 only.");
        }

        string source = Repo.AspireDashboardDir;
        Assert.True(File.Exists(Path.Combine(source, "Aspire.Dashboard")), $"The Aspire Dashboard is not in {source}; restore the test project (dotnet restore).");
        CopyDirectory(source, dir);
        string exe = Path.Combine(dir, "Aspire.Dashboard");
        File.SetUnixFileMode(exe, File.GetUnixFileMode(exe) | UnixFileMode.UserExecute);

        int ui = Tools.FreePort();
        GrpcEndpoint = new Uri($"http://127.0.0.1:{Tools.FreePort()}");
        HttpEndpoint = new Uri($"http://127.0.0.1:{Tools.FreePort()}");
        processes = new ProcessGroup(dir);
        api = new PromApi(new Uri($"http://127.0.0.1:{ui}/"));
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ui}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = GrpcEndpoint.ToString().TrimEnd('/'),
            ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = HttpEndpoint.ToString().TrimEnd('/'),
            ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            ["Dashboard__Api__Enabled"] = "true",
            ["Dashboard__Api__AuthMode"] = "Unsecured",
            ["DOTNET_gcServer"] = "0",
        };
        try
        {
            processes.Launch("aspire-dashboard", exe, [], environment: env);
            processes.WaitUntil(TimeSpan.FromSeconds(60), "the Aspire Dashboard's API", () => api.Get("api/telemetry/resources") is not null);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>OTLP/gRPC endpoint.</summary>
    public Uri GrpcEndpoint { get; }

    /// <summary>OTLP/HTTP endpoint (metrics are posted to /v1/metrics under it).</summary>
    public Uri HttpEndpoint { get; }

    public string Logs => processes.Logs;

    /// <summary>The resources (services) the receiver has telemetry from, with which signals.</summary>
    public JsonArray Resources() => JsonNode.Parse(api.Get("api/telemetry/resources") ?? "[]")!.AsArray();

    public void WaitUntil(TimeSpan timeout, string what, Func<bool> condition) => processes.WaitUntil(timeout, what, condition);

    public void Dispose()
    {
        processes?.Dispose();
        api?.Dispose();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception)
        {
            // Best effort.
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        }

        foreach (string f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
        }
    }
}
