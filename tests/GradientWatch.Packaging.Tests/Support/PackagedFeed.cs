using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace GradientWatch.Packaging.Tests.Support;

/// <summary>
/// Packs GradientWatch, GradientWatch.ML and GradientWatch.OpenTelemetry (already built) into a temporary feed, and
/// prepares a folder where consumer apps restore from that feed plus the repository's configured NuGet source. The
/// consumers get their own NuGet.config and package folder (deleted afterwards); packages already in this machine's
/// package folder (libtorch, ML.NET, OpenTelemetry) are reused from it read-only as a fallback folder. Empty
/// Directory.Build.* files stop MSBuild from picking up anything above the folder.
/// </summary>
public sealed class PackagedFeed : IDisposable
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

    public PackagedFeed()
    {
        RepositoryRoot = Metadata("RepositoryRoot");
        Configuration = Metadata("Configuration");
        MachinePackages = Metadata("NuGetPackageRoot");
        Root = Path.Combine(Path.GetTempPath(), "gw-packaging-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Packages = Path.Combine(Root, "packages");
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Packages);
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(Root, file), "<Project />\n");
        }

        WriteNuGetConfig();
        PackOutput = Pack();
        GradientWatchVersion = VersionOf("GradientWatch");
        GradientWatchMLVersion = VersionOf("GradientWatch.ML");
        GradientWatchOpenTelemetryVersion = VersionOf("GradientWatch.OpenTelemetry");
        TorchSharpCpuVersion = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == "TorchSharp-cpu").Attribute("Version")!.Value;
    }

    public string RepositoryRoot { get; }

    public string Configuration { get; }

    public string MachinePackages { get; }

    public string Root { get; }

    public string Feed { get; }

    public string Packages { get; }

    public string PackOutput { get; }

    public string GradientWatchVersion { get; }

    public string GradientWatchMLVersion { get; }

    public string GradientWatchOpenTelemetryVersion { get; }

    public string TorchSharpCpuVersion { get; }

    /// <summary>The MSBuild properties that pin the consumer projects to the packed versions.</summary>
    public string[] VersionProperties =>
    [
        "-p:GradientWatchVersion=" + GradientWatchVersion,
        "-p:GradientWatchOpenTelemetryVersion=" + GradientWatchOpenTelemetryVersion,
        "-p:TorchSharpCpuVersion=" + TorchSharpCpuVersion,
    ];

    public string PackagePath(string id, string version, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{version}.{extension}");

    /// <summary>Copies a consumer app from Consumers/ into a new folder under <see cref="Root"/>.</summary>
    public string CreateConsumer(string template, string folder)
    {
        string source = Path.Combine(RepositoryRoot, "tests", "GradientWatch.Packaging.Tests", "Consumers", template);
        string target = Path.Combine(Root, folder);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    public (int ExitCode, string Output) Dotnet(string workingDirectory, params string[] arguments) =>
        DotnetProcess.Run(workingDirectory, Packages, CommandTimeout, arguments);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Metadata(string key) =>
        typeof(PackagedFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");

    private string Pack()
    {
        var (exitCode, output) = DotnetProcess.Run(RepositoryRoot, MachinePackages, CommandTimeout,
            "pack", Path.Combine(RepositoryRoot, "GradientWatch.sln"), "--no-build", "-c", Configuration, "-o", Feed);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed ({exitCode}):\n{output}");
        }

        return output;
    }

    private string VersionOf(string id)
    {
        var pattern = new Regex("^" + Regex.Escape(id) + @"\.(\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?)\.nupkg$");
        return Directory.GetFiles(Feed, "*.nupkg").Select(f => pattern.Match(Path.GetFileName(f))).Single(m => m.Success).Groups[1].Value;
    }

    private void WriteNuGetConfig()
    {
        // The repository's configured sources (CI: the NuGet registry), after the local feed.
        var sources = XDocument.Load(Path.Combine(RepositoryRoot, "NuGet.config")).Descendants("packageSources").Elements("add")
            .Select(e => new XElement("add", new XAttribute("key", (string)e.Attribute("key")!), new XAttribute("value", (string)e.Attribute("value")!)));
        var config = new XDocument(new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", Packages))),
            new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "gradientwatch-test-feed"), new XAttribute("value", Feed)), sources),
            new XElement("fallbackPackageFolders", new XElement("clear"), new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", MachinePackages)))));
        config.Save(Path.Combine(Root, "NuGet.config"));
    }
}
