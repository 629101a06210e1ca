using System.Globalization;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GradientWatch.Build;
using GradientWatch.Packaging.Tests.Support;

namespace GradientWatch.Packaging.Tests;

/// <summary>
/// The three packages as a new user gets them: packed into a feed, restored into fresh apps outside this repository,
/// built, published and run. On Debian 12 this also proves that the TorchSharp native fix travels with the package.
/// </summary>
public sealed class PackageConsumerTests : IClassFixture<PackagedFeed>
{
    private const string GlibcxxMissingOnDebian12 = "GLIBCXX_3.4.32";

    private readonly PackagedFeed feed;

    public PackageConsumerTests(PackagedFeed feed) => this.feed = feed;

    [Fact]
    public void Packages_CarryTheBuildStep_License_Readme_Metadata_AndSymbols()
    {
        using (var core = ZipFile.OpenRead(feed.PackagePath("GradientWatch", feed.GradientWatchVersion)))
        {
            var entries = core.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("buildTransitive/GradientWatch.targets", entries);
            Assert.Contains("tasks/netstandard2.0/GradientWatch.Build.dll", entries);
            Assert.Contains("lib/net8.0/GradientWatch.dll", entries);
            Assert.Contains("lib/net8.0/GradientWatch.xml", entries);

            var dependencies = Nuspec(core).Descendants(Nuspec(core).Root!.Name.Namespace + "dependency").Select(d => (string)d.Attribute("id")!).ToList();
            Assert.Contains("TorchSharp", dependencies);
            Assert.DoesNotContain(dependencies, d => d.StartsWith("TorchSharp-", StringComparison.Ordinal) || d.StartsWith("libtorch", StringComparison.Ordinal));
        }

        foreach (var (id, version) in new[] { ("GradientWatch", feed.GradientWatchVersion), ("GradientWatch.ML", feed.GradientWatchMLVersion), ("GradientWatch.OpenTelemetry", feed.GradientWatchOpenTelemetryVersion) })
        {
            using var package = ZipFile.OpenRead(feed.PackagePath(id, version));
            var nuspec = Nuspec(package);
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal("MIT", (string?)metadata.Element(ns + "license"));
            Assert.Equal("README.md", (string?)metadata.Element(ns + "readme"));
            Assert.False(string.IsNullOrWhiteSpace((string?)metadata.Element(ns + "description")));
            Assert.False(string.IsNullOrWhiteSpace((string?)metadata.Element(ns + "tags")));
            Assert.NotEqual(id, (string?)metadata.Element(ns + "authors"));
            Assert.StartsWith("https://", (string?)metadata.Element(ns + "projectUrl"));
            Assert.StartsWith("https://", (string?)metadata.Element(ns + "repository")?.Attribute("url"));

            string license = Read(package, "LICENSE");
            Assert.StartsWith("MIT License", license, StringComparison.Ordinal);
            Assert.Equal(File.ReadAllText(Path.Combine(feed.RepositoryRoot, "LICENSE")), license);
            Assert.Contains("dotnet add package " + id, Read(package, "README.md"), StringComparison.Ordinal);

            using var symbols = ZipFile.OpenRead(feed.PackagePath(id, version, "snupkg"));
            Assert.Contains(symbols.Entries, e => e.FullName == $"lib/net8.0/{id}.pdb");
        }

        // One version for all; the OpenTelemetry package is a prerelease while its Prometheus exporter is one.
        Assert.Equal(feed.GradientWatchVersion, feed.GradientWatchMLVersion);
        Assert.StartsWith(feed.GradientWatchVersion + "-", feed.GradientWatchOpenTelemetryVersion, StringComparison.Ordinal);
    }

    /// <summary>
    /// net8.0, a plain TorchSharp loop, GradientWatch referenced directly: publish, then run the published app on
    /// whatever runtime the machine has. The published libLibTorchSharp.so is patched exactly where the host needs it,
    /// and the package in the machine's package folder is left as it was.
    /// </summary>
    [Fact]
    public void PlainLoopApp_OnNet8_PublishesWithTheNativeFix_AndTrains()
    {
        string app = feed.CreateConsumer("Plain", "plain");
        var (publishExit, publishOutput) = feed.Dotnet(app, ["publish", "-c", "Release", "-o", "out", .. feed.VersionProperties]);
        Assert.True(publishExit == 0, publishOutput);
        Assert.DoesNotContain("GW0001", publishOutput, StringComparison.Ordinal);

        bool hostLacksVersion = OperatingSystem.IsLinux() && !ElfSymbolVersionPatcher.HostProvides(GlibcxxMissingOnDebian12);
        if (OperatingSystem.IsLinux())
        {
            string published = Path.Combine(app, "out", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            Assert.Equal(hostLacksVersion, IsWeak(published, GlibcxxMissingOnDebian12));
            Assert.Equal(hostLacksVersion, publishOutput.Contains($"GradientWatch: marked {GlibcxxMissingOnDebian12} weak", StringComparison.Ordinal));

            string cached = Path.Combine(PackageFolderOf("torchsharp", feed.TorchSharpCpuVersion), "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            Assert.False(IsWeak(cached, GlibcxxMissingOnDebian12), $"{cached} must stay untouched");
        }

        var (runExit, runOutput) = feed.Dotnet(app, [Path.Combine("out", "Plain.dll")]);
        Assert.True(runExit == 0, runOutput);
        var line = Regex.Match(runOutput, @"PLAIN runtime=(\S+) steps=(\d+) first_loss=(\S+) last_loss=(\S+)");
        Assert.True(line.Success, runOutput);
        Assert.Equal(150, int.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture));
        double first = double.Parse(line.Groups[3].Value, CultureInfo.InvariantCulture);
        double last = double.Parse(line.Groups[4].Value, CultureInfo.InvariantCulture);
        Assert.True(last < first / 10, $"the loss should fall tenfold: {first} -> {last}");
    }

    /// <summary>
    /// net10.0, an ML.NET pipeline with .WithGradientWatch(...) and .ExportMetrics(), referencing GradientWatch.ML and
    /// GradientWatch.OpenTelemetry only (the core and its build step come transitively), started with `dotnet run`:
    /// /metrics is scraped while it trains, and the trained model fits the data.
    /// </summary>
    [Fact]
    public async Task MlNetPipelineApp_ThroughGradientWatchML_ServesMetrics_AndTrains()
    {
        string app = feed.CreateConsumer("Pipeline", "pipeline");
        int port = FreePort();
        using var run = DotnetProcess.Start(app, feed.Packages, redirectInput: true,
            ["run", "-c", "Release", .. feed.VersionProperties, "--", port.ToString(CultureInfo.InvariantCulture)]);

        string serving = run.WaitForLine("SERVING ", PackagedFeed.CommandTimeout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        run.WriteLine("go on");
        int exit = run.WaitForExit(TimeSpan.FromMinutes(3));

        Assert.Contains($"/{port}/", serving.Replace(":", "/", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Matches(@"gradientwatch_steps_total\{[^}]*\} (4\d|[5-9]\d|\d{3,})", metrics);
        Assert.Matches(@"gradientwatch_layer_gradient_norm\{[^}]*layer=""fc1""", metrics);
        Assert.Contains("otel_scope_name=\"GradientWatch\"", metrics, StringComparison.Ordinal);

        Assert.True(exit == 0, run.Output);
        var line = Regex.Match(run.Output, @"PIPELINE steps=(\d+) rmse=(\S+) label_std=(\S+)");
        Assert.True(line.Success, run.Output);
        Assert.Equal(240, int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture));
        double rmse = double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
        double labelStd = double.Parse(line.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.True(rmse < labelStd / 3, $"the model should explain the data: RMSE {rmse} vs label std {labelStd}");
    }

    /// <summary>The same ML.NET app without a TorchSharp backend: warned at build, told which package to add at Fit.</summary>
    [Fact]
    public void AppWithoutBackend_IsWarnedAtBuild_AndToldWhichPackageToAdd()
    {
        string app = feed.CreateConsumer("Pipeline", "nobackend");
        var (buildExit, buildOutput) = feed.Dotnet(app, ["build", "-c", "Release", "-p:WithBackend=false", .. feed.VersionProperties]);
        Assert.True(buildExit == 0, buildOutput);
        Assert.Contains("warning GW0001", buildOutput, StringComparison.Ordinal);
        Assert.Contains("dotnet add package TorchSharp-cpu", buildOutput, StringComparison.Ordinal);

        var (runExit, runOutput) = feed.Dotnet(app, [Path.Combine("bin", "Release", "net10.0", "Pipeline.dll"), FreePort().ToString(CultureInfo.InvariantCulture)]);
        Assert.NotEqual(0, runExit);
        Assert.Contains("TorchSharp has no backend", runOutput, StringComparison.Ordinal);
        Assert.Contains("dotnet add package TorchSharp-cpu", runOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("PIPELINE steps=", runOutput, StringComparison.Ordinal);
    }

    private static XDocument Nuspec(ZipArchive package) =>
        XDocument.Parse(Read(package, package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).FullName));

    private static string Read(ZipArchive package, string entry)
    {
        using var reader = new StreamReader(package.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    private static bool IsWeak(string elf, string version) =>
        ElfSymbolVersionPatcher.GetVersionRequirements(elf).Where(r => r.Version == version).All(r => r.IsWeak);

    private string PackageFolderOf(string id, string version)
    {
        foreach (string root in new[] { feed.Packages, feed.MachinePackages })
        {
            string folder = Path.Combine(root, id, version);
            if (Directory.Exists(folder))
            {
                return folder;
            }
        }

        throw new DirectoryNotFoundException($"{id} {version} is in neither package folder.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
