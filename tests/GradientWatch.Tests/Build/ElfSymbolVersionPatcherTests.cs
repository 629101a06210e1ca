using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using GradientWatch.Build;
using TorchSharp;

namespace GradientWatch.Tests.Build;

/// <summary>A fact that only runs on Linux: ELF, libstdc++ and the TorchSharp linux-x64 shim are Linux things.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only (ELF shared objects and the host libstdc++).";
        }
    }
}

/// <summary>
/// Tests of src/GradientWatch.Build/ElfSymbolVersionPatcher.cs, which the GradientWatch package's build step
/// (buildTransitive/GradientWatch.targets) runs after every build and publish to make TorchSharp's libLibTorchSharp.so loadable where libstdc++ is too old.
/// </summary>
public sealed class ElfSymbolVersionPatcherTests : IDisposable
{
    private const string MissingOnDebian12 = "GLIBCXX_3.4.32";
    private const string IosBaseLibraryInit = "_ZSt21ios_base_library_initv";

    private readonly string _tempDir;

    public ElfSymbolVersionPatcherTests()
    {
        _tempDir = Path.Combine(Path.GetTempPath(), "gw-elf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_tempDir);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_tempDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [LinuxFact]
    public void HostLibStdCxx_IsFound_AndDefinesTheVersionsOlderHostsHave()
    {
        string? lib = ElfSymbolVersionPatcher.FindHostLibStdCxx();

        Assert.NotNull(lib);
        Assert.True(File.Exists(lib), lib);
        IReadOnlyList<string> defined = ElfSymbolVersionPatcher.GetDefinedVersions(lib);
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("GLIBCXX_3.4.30", defined);
        Assert.Contains("CXXABI_1.3", defined);
        // The VER_FLG_BASE entry names the file itself; it is not a version.
        Assert.DoesNotContain(ElfSymbolVersionPatcher.LibStdCxxSoname, defined);
        Assert.Equal(defined.Contains(MissingOnDebian12), ElfSymbolVersionPatcher.HostProvides(MissingOnDebian12));
        Assert.True(ElfSymbolVersionPatcher.HostProvides("GLIBCXX_3.4.30"));
        Assert.False(ElfSymbolVersionPatcher.HostProvides("GLIBCXX_99.0"));
    }

    [LinuxFact]
    public void NuGetCacheLibTorchSharp_RequiresGlibcxx3432_OnlyForIosBaseLibraryInit()
    {
        string cached = PackageLibTorchSharp();

        IReadOnlyList<(string File, string Version, ushort Flags)> required = ElfSymbolVersionPatcher.GetRequiredVersions(cached);

        (string file, string version, ushort flags) = Assert.Single(required, r => r.Version == MissingOnDebian12);
        Assert.Equal("libstdc++.so.6", file);
        Assert.Equal(0, flags & ElfSymbolVersionPatcher.VerFlagWeak);
        Assert.Contains(required, r => r.File == "libc.so.6" && r.Version == "GLIBC_2.2.5");
        Assert.Contains(required, r => r.File == "libstdc++.so.6" && r.Version == "GLIBCXX_3.4.30");
        Assert.Equal(new[] { IosBaseLibraryInit }, ElfSymbolVersionPatcher.GetSymbolsUsingVersion(cached, MissingOnDebian12));
    }

    [LinuxFact]
    public void PatchingACopy_SetsOnlyTheWeakFlag_IsIdempotent_AndLeavesThePackageFileAlone()
    {
        string cached = PackageLibTorchSharp();
        string cachedHash = Sha256(cached);
        string copy = CopyToTemp(cached);
        byte[] before = File.ReadAllBytes(copy);
        DateTime mtime = File.GetLastWriteTimeUtc(copy);
        ElfVersionRequirement requirement = Assert.Single(
            ElfSymbolVersionPatcher.GetVersionRequirements(copy), r => r.Version == MissingOnDebian12);

        Assert.Equal(PatchResult.Patched, ElfSymbolVersionPatcher.MarkVersionRequirementWeak(copy, MissingOnDebian12));

        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal(new[] { (int)requirement.FlagsOffset }, changed);
        var (_, _, flags) = Assert.Single(ElfSymbolVersionPatcher.GetRequiredVersions(copy), r => r.Version == MissingOnDebian12);
        Assert.Equal(ElfSymbolVersionPatcher.VerFlagWeak, flags & ElfSymbolVersionPatcher.VerFlagWeak);
        // Every other requirement keeps its flags.
        Assert.All(
            ElfSymbolVersionPatcher.GetRequiredVersions(copy).Where(r => r.Version != MissingOnDebian12),
            r => Assert.Equal(0, r.Flags & ElfSymbolVersionPatcher.VerFlagWeak));
        // The timestamp is kept so incremental copies (size + timestamp) still treat the copy as current.
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(copy));

        string patchedHash = Sha256(copy);
        Assert.Equal(PatchResult.AlreadyWeak, ElfSymbolVersionPatcher.MarkVersionRequirementWeak(copy, MissingOnDebian12));
        Assert.Equal(patchedHash, Sha256(copy));
        Assert.Equal(PatchResult.NotNeeded, ElfSymbolVersionPatcher.MarkVersionRequirementWeak(copy, "GLIBCXX_99.0"));
        Assert.Equal(PatchResult.NotNeeded, ElfSymbolVersionPatcher.MarkVersionRequirementWeak(copy, MissingOnDebian12, requiredFrom: "libc.so.6"));
        Assert.Equal(patchedHash, Sha256(copy));

        Assert.Equal(cachedHash, Sha256(cached));
        Assert.Empty(Directory.GetFiles(_tempDir, "*.tmp", SearchOption.AllDirectories));
    }

    [LinuxFact]
    public void PatchingAHardlink_ReplacesTheLink_AndLeavesTheOtherNameUntouched()
    {
        string original = CopyToTemp(PackageLibTorchSharp());
        string originalHash = Sha256(original);
        string link = Path.Combine(_tempDir, "hardlink", "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        Run("ln", original, link);
        Assert.Equal("2", Run("stat", "-c", "%h", original).Trim());

        Assert.Equal(PatchResult.Patched, ElfSymbolVersionPatcher.MarkVersionRequirementWeak(link, MissingOnDebian12));

        Assert.Equal(originalHash, Sha256(original));
        Assert.Equal("1", Run("stat", "-c", "%h", original).Trim());
        Assert.True(IsWeak(link, MissingOnDebian12));
        Assert.False(IsWeak(original, MissingOnDebian12));
    }

    [LinuxFact]
    public void PatchingASymlink_ReplacesTheLinkWithAFile_AndLeavesItsTargetUntouched()
    {
        string target = CopyToTemp(PackageLibTorchSharp());
        string targetHash = Sha256(target);
        string link = Path.Combine(_tempDir, "symlink", "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, target);

        Assert.Equal(PatchResult.Patched, ElfSymbolVersionPatcher.MarkVersionRequirementWeak(link, MissingOnDebian12));

        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal(targetHash, Sha256(target));
        Assert.True(IsWeak(link, MissingOnDebian12));
        Assert.False(IsWeak(target, MissingOnDebian12));
        // The symlink's target supplies the kept timestamp, not the link itself.
        Assert.Equal(File.GetLastWriteTimeUtc(target), File.GetLastWriteTimeUtc(link));
    }

    [Fact]
    public void NonElfFile_IsRejectedWithAClearMessage()
    {
        string text = Path.Combine(_tempDir, "not-elf.so");
        File.WriteAllText(text, "this is a linker script, not a shared object\n");

        var e = Assert.Throws<ElfFormatException>(() => ElfSymbolVersionPatcher.GetRequiredVersions(text));
        Assert.Contains("not an ELF file", e.Message);
        Assert.Contains(text, e.Message);
        Assert.Throws<ElfFormatException>(() => ElfSymbolVersionPatcher.MarkVersionRequirementWeak(text, MissingOnDebian12));
        Assert.Equal("this is a linker script, not a shared object\n", File.ReadAllText(text));
    }

    [Theory]
    [InlineData(1, 1, "32-bit")]
    [InlineData(2, 2, "big-endian")]
    public void OtherElfFlavours_AreRejectedWithAClearMessage(byte elfClass, byte dataEncoding, string expected)
    {
        byte[] header = new byte[64];
        header[0] = 0x7f;
        header[1] = (byte)'E';
        header[2] = (byte)'L';
        header[3] = (byte)'F';
        header[4] = elfClass;
        header[5] = dataEncoding;
        header[6] = 1;
        string path = Path.Combine(_tempDir, "other.so");
        File.WriteAllBytes(path, header);

        var e = Assert.Throws<ElfFormatException>(() => ElfSymbolVersionPatcher.GetDefinedVersions(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains("only ELF64 little-endian", e.Message);
    }

    [LinuxFact]
    public void TruncatedElfFile_IsRejectedWithAClearMessage()
    {
        string cached = PackageLibTorchSharp();
        string truncated = Path.Combine(_tempDir, "truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(cached).AsSpan(0, 4096).ToArray());

        var e = Assert.Throws<ElfFormatException>(() => ElfSymbolVersionPatcher.GetRequiredVersions(truncated));
        Assert.Contains("truncated or malformed", e.Message);
    }

    [LinuxFact]
    public void CorruptedVersionSections_FailOnlyWithElfFormatException()
    {
        string copy = CopyToTemp(PackageLibTorchSharp());
        byte[] pristine = File.ReadAllBytes(copy);
        ElfVersionRequirement first = ElfSymbolVersionPatcher.GetVersionRequirements(copy)[0];
        long shoff = BitConverter.ToInt64(pristine, 0x28);
        var random = new Random(1234);
        for (int round = 0; round < 60; round++)
        {
            byte[] mutated = (byte[])pristine.Clone();
            // Hit the Verneed/Vernaux chain (it starts 20 bytes before the first vna_flags) or the section header table.
            long regionStart = round % 2 == 0 ? first.FlagsOffset - 20 : shoff;
            int regionLength = round % 2 == 0 ? 0x200 : pristine.Length - (int)shoff;
            for (int k = 0; k < 4; k++)
            {
                mutated[regionStart + random.Next(regionLength)] = (byte)random.Next(256);
            }

            File.WriteAllBytes(copy, mutated);
            try
            {
                _ = ElfSymbolVersionPatcher.GetRequiredVersions(copy);
                _ = ElfSymbolVersionPatcher.GetSymbolsUsingVersion(copy, MissingOnDebian12);
            }
            catch (ElfFormatException)
            {
            }
        }
    }

    [LinuxFact]
    public void MissingLibStdCxxVersions_AreThoseTheHostDoesNotDefine()
    {
        string cached = PackageLibTorchSharp();
        var fromLibStdCxx = ElfSymbolVersionPatcher.GetRequiredVersions(cached)
            .Where(r => ElfSymbolVersionPatcher.IsLibStdCxx(r.File))
            .Select(r => r.Version)
            .ToList();

        Assert.Empty(ElfSymbolVersionPatcher.GetLibStdCxxVersionsMissingOnHost(cached, fromLibStdCxx));
        Assert.Equal(
            new[] { MissingOnDebian12 },
            ElfSymbolVersionPatcher.GetLibStdCxxVersionsMissingOnHost(cached, fromLibStdCxx.Where(v => v != MissingOnDebian12)));
        // Versions required from other files (glibc) never count, even when the list lacks them.
        Assert.DoesNotContain("GLIBC_2.34", ElfSymbolVersionPatcher.GetLibStdCxxVersionsMissingOnHost(cached, Array.Empty<string>()));

        string host = ElfSymbolVersionPatcher.FindHostLibStdCxx()!;
        IReadOnlyList<string> missingHere = ElfSymbolVersionPatcher.GetLibStdCxxVersionsMissingOnHost(
            cached, ElfSymbolVersionPatcher.GetDefinedVersions(host));
        Assert.Equal(!ElfSymbolVersionPatcher.HostProvides(MissingOnDebian12), missingHere.Contains(MissingOnDebian12));
    }

    [Fact]
    public void LdconfigOutput_IsParsed()
    {
        const string output =
            "1234 libs found in cache `/etc/ld.so.cache'\n" +
            "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6\n" +
            "\tlibstdc++.so.6 (libc6) => /lib/i386-linux-gnu/libstdc++.so.6\n" +
            "\tlibstdc++fs.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++fs.so.6\n" +
            "\tlibstd.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libstd.so\n";

        Assert.Equal(
            new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/i386-linux-gnu/libstdc++.so.6" },
            ElfSymbolVersionPatcher.ParseLdconfigOutput(output, "libstdc++.so.6"));
    }

    [LinuxFact]
    public void PackageFolderGuard_SeesThroughSymlinkedDirectories()
    {
        string root = Path.Combine(_tempDir, "packages");
        string inside = Path.Combine(root, "torchsharp", "native");
        Directory.CreateDirectory(inside);
        string outside = Path.Combine(_tempDir, "bin");
        Directory.CreateDirectory(outside);
        string alias = Path.Combine(_tempDir, "alias");
        Directory.CreateSymbolicLink(alias, inside);

        Assert.True(ElfSymbolVersionPatcher.IsUnderAnyDirectory(Path.Combine(inside, "lib.so"), new[] { root + "/" }));
        Assert.True(ElfSymbolVersionPatcher.IsUnderAnyDirectory(Path.Combine(inside, "lib.so"), new[] { root }));
        Assert.True(ElfSymbolVersionPatcher.IsUnderAnyDirectory(Path.Combine(alias, "lib.so"), new[] { root }));
        Assert.False(ElfSymbolVersionPatcher.IsUnderAnyDirectory(Path.Combine(outside, "lib.so"), new[] { root, "" }));
        Assert.False(ElfSymbolVersionPatcher.IsUnderAnyDirectory(Path.Combine(_tempDir, "packages-other", "lib.so"), new[] { root }));
    }

    /// <summary>
    /// The copy of libLibTorchSharp.so in this test's own build output was patched by the build exactly
    /// when the host libstdc++ lacks a version it needs, and TorchSharp loads from it and trains.
    /// </summary>
    [LinuxFact]
    public void TorchSharpLoadsFromBuildOutput()
    {
        string output = NativeLibTorchSharpInOutput();
        string cached = PackageLibTorchSharp();
        string host = ElfSymbolVersionPatcher.FindHostLibStdCxx()!;
        IReadOnlyList<string> missing = ElfSymbolVersionPatcher.GetLibStdCxxVersionsMissingOnHost(cached, ElfSymbolVersionPatcher.GetDefinedVersions(host));

        Assert.Equal(!ElfSymbolVersionPatcher.HostProvides(MissingOnDebian12), IsWeak(output, MissingOnDebian12));
        foreach (string version in missing)
        {
            Assert.True(IsWeak(output, version), $"{version} should be weak in {output}: the host libstdc++ {host} lacks it.");
        }

        if (missing.Count == 0)
        {
            Assert.Equal(Sha256(cached), Sha256(output));
        }

        torch.InitializeDeviceType(DeviceType.CPU);
        using (torch.NewDisposeScope())
        {
            var x = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
            var w = torch.tensor(new float[] { 0.5f, -1, 2, 0.25f, 1, -0.5f }, 3, 2).requires_grad_(true);
            var loss = x.matmul(w).pow(2).sum();
            loss.backward();

            // d/dW sum((XW)^2) = 2 X^T (XW)
            float[] xw = { 1 * 0.5f + 2 * 2 + 3 * 1, 1 * -1 + 2 * 0.25f + 3 * -0.5f, 4 * 0.5f + 5 * 2 + 6 * 1, 4 * -1 + 5 * 0.25f + 6 * -0.5f };
            float[] expected =
            {
                2 * ((1 * xw[0]) + (4 * xw[2])), 2 * ((1 * xw[1]) + (4 * xw[3])),
                2 * ((2 * xw[0]) + (5 * xw[2])), 2 * ((2 * xw[1]) + (5 * xw[3])),
                2 * ((3 * xw[0]) + (6 * xw[2])), 2 * ((3 * xw[1]) + (6 * xw[3])),
            };
            float[] grad = w.grad!.data<float>().ToArray();
            Assert.Equal(expected.Length, grad.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], grad[i], 3);
            }
        }

        // The shim this process mapped is the one from the build output, not some other copy.
        string mapped = MappedFiles().Single(f => Path.GetFileName(f) == "libLibTorchSharp.so");
        Assert.Equal(ElfSymbolVersionPatcher.ResolveRealPath(output), ElfSymbolVersionPatcher.ResolveRealPath(mapped));
    }

    // ------------------------------------------------------------------ helpers

    private static bool IsWeak(string elf, string version) =>
        ElfSymbolVersionPatcher.GetRequiredVersions(elf)
            .Where(r => r.Version == version)
            .All(r => (r.Flags & ElfSymbolVersionPatcher.VerFlagWeak) != 0);

    private string CopyToTemp(string source)
    {
        string directory = Path.Combine(_tempDir, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string destination = Path.Combine(directory, Path.GetFileName(source));
        File.Copy(source, destination);
        return destination;
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Run(string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(startInfo)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', arguments)} failed: {stderr}");
        return stdout;
    }

    private static IEnumerable<string> MappedFiles() =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var i and >= 0 ? line[i..] : string.Empty)
            .Where(path => path.Length > 0)
            .Distinct();

    /// <summary>The linux-x64 shim that the build copied into this test's output folder.</summary>
    private static string NativeLibTorchSharpInOutput()
    {
        string[] found = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        string rid = RuntimeInformation.RuntimeIdentifier;
        string? match = found.FirstOrDefault(f => f.Replace('\\', '/').Contains($"/runtimes/{rid}/native/", StringComparison.Ordinal))
            ?? found.FirstOrDefault(f => f.Replace('\\', '/').Contains("/runtimes/linux-x64/native/", StringComparison.Ordinal))
            ?? found.FirstOrDefault();
        Assert.True(match != null, $"no libLibTorchSharp.so under {AppContext.BaseDirectory}");
        return match!;
    }

    /// <summary>
    /// The package's own libLibTorchSharp.so: the TorchSharp package path from this test's deps.json,
    /// under the NuGet package root the project was restored with (or NUGET_PACKAGES, or ~/.nuget/packages).
    /// </summary>
    private static string PackageLibTorchSharp()
    {
        string depsFile = Path.Combine(AppContext.BaseDirectory, Assembly.GetExecutingAssembly().GetName().Name + ".deps.json");
        string packagePath = "torchsharp/0.107.0";
        if (File.Exists(depsFile))
        {
            using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(depsFile));
            foreach (JsonProperty library in deps.RootElement.GetProperty("libraries").EnumerateObject())
            {
                if (library.Name.StartsWith("TorchSharp/", StringComparison.OrdinalIgnoreCase)
                    && library.Value.TryGetProperty("path", out JsonElement path))
                {
                    packagePath = path.GetString() ?? packagePath;
                }
            }
        }

        var roots = new List<string>();
        string? restoredWith = typeof(ElfSymbolVersionPatcherTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        if (!string.IsNullOrEmpty(restoredWith))
        {
            roots.Add(restoredWith);
        }

        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } fromEnvironment)
        {
            roots.Add(fromEnvironment);
        }

        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));

        string rid = RuntimeInformation.RuntimeIdentifier;
        var tried = new List<string>();
        foreach (string root in roots)
        {
            foreach (string candidateRid in new[] { rid, "linux-x64" })
            {
                string candidate = Path.Combine(root, packagePath, "runtimes", candidateRid, "native", "libLibTorchSharp.so");
                tried.Add(candidate);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        Assert.Fail("TorchSharp's libLibTorchSharp.so is not in the NuGet package folder; tried: " + string.Join(", ", tried));
        return string.Empty;
    }
}
