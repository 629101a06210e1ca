using System.Reflection;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>Paths in the repository.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string MetricsDemoDll => System.IO.Path.GetFullPath(
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetricsDemoPath").Value!);

    public static string DemoDll => System.IO.Path.GetFullPath(
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "DemoPath").Value!);

    /// <summary>The standalone Aspire Dashboard's folder in the NuGet cache (restored with the test project).</summary>
    public static string AspireDashboardDir => typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AspireDashboardPath").Value!;

    public static string LoadTestDll => System.IO.Path.GetFullPath(
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoadTestPath").Value!);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GradientWatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GradientWatch.sln not found above " + AppContext.BaseDirectory);
    }
}
