// ElfSymbolVersionPatcher: reads and edits the GNU symbol-versioning sections of ELF64 little-endian
// shared objects, so that a build can mark a version requirement the host cannot satisfy as WEAK.
// TorchSharpNativeFixTask runs it after build and publish (buildTransitive/GradientWatch.targets); the code
// uses only netstandard2.0 APIs, so the task loads in both .NET and .NET Framework MSBuild.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so requires GLIBCXX_3.4.32 only for
// std::ios_base_library_init(), which it references but never calls. Older hosts (Debian 12,
// Ubuntu 22.04) stop at GLIBCXX_3.4.30, so dlopen fails. Setting VER_FLG_WEAK on that one Vernaux
// entry lets the loader accept the library. See /work/shared/DESIGN.md.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace GradientWatch.Build;

/// <summary>
/// Parses the GNU symbol-versioning sections of ELF64 little-endian files (section headers,
/// <c>.gnu.version_r</c>, <c>.gnu.version_d</c>, <c>.gnu.version</c>, <c>.dynsym</c> and the string
/// tables they link to) and marks version requirements weak. Anything else (ELF32, big-endian,
/// not ELF) is rejected with an <see cref="ElfFormatException"/>.
/// </summary>
public static class ElfSymbolVersionPatcher
{
    /// <summary>VER_FLG_BASE: the Verdef entry that names the file itself.</summary>
    public const ushort VerFlagBase = 0x1;

    /// <summary>VER_FLG_WEAK: a missing version is not an error for the dynamic loader.</summary>
    public const ushort VerFlagWeak = 0x2;

    /// <summary>The soname of the GNU C++ runtime.</summary>
    public const string LibStdCxxSoname = "libstdc++.so.6";

    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const uint ShtNobits = 8;
    private const int ElfHeaderSize = 64;
    private const int SectionHeaderSize = 64;

    // ------------------------------------------------------------------ public API

    /// <summary>Versions defined by <paramref name="elfPath"/> (its <c>.gnu.version_d</c>), without the base entry.</summary>
    public static IReadOnlyList<string> GetDefinedVersions(string elfPath)
    {
        return GetDefinedVersions(File.ReadAllBytes(elfPath), elfPath);
    }

    /// <summary>Versions required by <paramref name="elfPath"/> (its <c>.gnu.version_r</c>), in file order.</summary>
    public static IReadOnlyList<(string File, string Version, ushort Flags)> GetRequiredVersions(string elfPath)
    {
        return GetVersionRequirements(elfPath).Select(r => (r.File, r.Version, r.Flags)).ToList();
    }

    /// <summary>Like <see cref="GetRequiredVersions"/>, with version indices and file offsets.</summary>
    public static IReadOnlyList<ElfVersionRequirement> GetVersionRequirements(string elfPath)
    {
        return ReadRequirements(new ElfImage(File.ReadAllBytes(elfPath), elfPath));
    }

    /// <summary>
    /// Names of the dynamic symbols bound to <paramref name="version"/> through <c>.gnu.version</c>
    /// (for a required version: the symbols the file imports with that version).
    /// </summary>
    public static IReadOnlyList<string> GetSymbolsUsingVersion(string elfPath, string version)
    {
        var image = new ElfImage(File.ReadAllBytes(elfPath), elfPath);
        var indices = new HashSet<ushort>(ReadRequirements(image).Where(r => r.Version == version).Select(r => r.Index));
        var result = new List<string>();
        if (indices.Count == 0)
        {
            return result;
        }

        Section? versym = image.Sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        Section? dynsym = image.Sections.FirstOrDefault(s => s.Type == ShtDynsym);
        if (versym == null || dynsym == null)
        {
            return result;
        }

        Section dynstr = image.LinkedStringTable(dynsym);
        image.Require((long)dynsym.Offset, (long)dynsym.Size, long.MaxValue, ".dynsym");
        image.Require((long)versym.Offset, (long)versym.Size, long.MaxValue, ".gnu.version");
        long entSize = dynsym.EntSize < 24 ? 24 : (long)dynsym.EntSize;
        long count = Math.Min((long)dynsym.Size / entSize, (long)versym.Size / 2);
        for (long i = 1; i < count; i++)
        {
            ushort index = (ushort)(image.U16((long)versym.Offset + (2 * i)) & 0x7fff);
            if (indices.Contains(index))
            {
                uint nameOffset = image.U32((long)dynsym.Offset + (i * entSize));
                result.Add(image.String(dynstr, nameOffset));
            }
        }

        return result;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on every requirement of <paramref name="version"/> (optionally only those
    /// required from <paramref name="requiredFrom"/>). Idempotent.
    /// </summary>
    public static PatchResult MarkVersionRequirementWeak(string elfPath, string version, string? requiredFrom = null)
    {
        return MarkVersionRequirementsWeak(elfPath, new[] { version }, requiredFrom)[version];
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on every requirement of each of <paramref name="versions"/> (optionally only
    /// those required from <paramref name="requiredFrom"/>), in one write. Idempotent.
    /// </summary>
    /// <remarks>
    /// The file is never modified in place: the new content goes to a temporary copy in the same
    /// directory, which then replaces <paramref name="elfPath"/> by rename. A hardlink or symlink at
    /// <paramref name="elfPath"/> (say, into the NuGet cache) is thereby replaced by a new file and
    /// its target is left untouched. The permissions and last-write time of the replaced file are
    /// kept, so incremental copies (size + timestamp) still see the file as up to date.
    /// </remarks>
    public static IReadOnlyDictionary<string, PatchResult> MarkVersionRequirementsWeak(string elfPath, IEnumerable<string> versions, string? requiredFrom = null)
    {
        if (elfPath == null)
        {
            throw new ArgumentNullException(nameof(elfPath));
        }

        if (versions == null)
        {
            throw new ArgumentNullException(nameof(versions));
        }

        byte[] bytes = File.ReadAllBytes(elfPath);
        var image = new ElfImage(bytes, elfPath);
        IReadOnlyList<ElfVersionRequirement> requirements = ReadRequirements(image);

        var results = new Dictionary<string, PatchResult>(StringComparer.Ordinal);
        var toPatch = new List<ElfVersionRequirement>();
        foreach (string version in versions)
        {
            if (results.ContainsKey(version))
            {
                continue;
            }

            List<ElfVersionRequirement> matches = requirements
                .Where(r => r.Version == version && (requiredFrom == null || r.File == requiredFrom))
                .ToList();
            if (matches.Count == 0)
            {
                results[version] = PatchResult.NotNeeded;
                continue;
            }

            List<ElfVersionRequirement> strong = matches.Where(r => !r.IsWeak).ToList();
            results[version] = strong.Count == 0 ? PatchResult.AlreadyWeak : PatchResult.Patched;
            toPatch.AddRange(strong);
        }

        if (toPatch.Count > 0)
        {
            foreach (ElfVersionRequirement requirement in toPatch)
            {
                ushort flags = (ushort)(requirement.Flags | VerFlagWeak);
                bytes[requirement.FlagsOffset] = (byte)(flags & 0xff);
                bytes[requirement.FlagsOffset + 1] = (byte)(flags >> 8);
            }

            ReplaceFileContent(elfPath, bytes);
        }

        return results;
    }

    /// <summary>
    /// Versions that <paramref name="elfPath"/> requires from libstdc++ and that
    /// <paramref name="hostDefinedVersions"/> (the host libstdc++'s definitions) lacks.
    /// </summary>
    public static IReadOnlyList<string> GetLibStdCxxVersionsMissingOnHost(string elfPath, IEnumerable<string> hostDefinedVersions)
    {
        var defined = new HashSet<string>(hostDefinedVersions, StringComparer.Ordinal);
        return GetVersionRequirements(elfPath)
            .Where(r => IsLibStdCxx(r.File) && !defined.Contains(r.Version))
            .Select(r => r.Version)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether a needed-file name refers to the GNU C++ runtime (<c>libstdc++.so.6</c>).</summary>
    public static bool IsLibStdCxx(string neededFile)
    {
        return neededFile.StartsWith("libstdc++.so", StringComparison.Ordinal);
    }

    /// <summary>The ELF <c>e_machine</c> of a file (e.g. 62 = x86-64, 183 = AArch64).</summary>
    public static ushort GetMachine(string elfPath)
    {
        return new ElfImage(File.ReadAllBytes(elfPath), elfPath).Machine;
    }

    /// <summary>
    /// Locates the host's <c>libstdc++.so.6</c> for the architecture of the current process:
    /// first in <c>LD_LIBRARY_PATH</c>, then from <c>ldconfig -p</c>, then in the usual library
    /// directories. Returns <c>null</c> when there is none (or when not on Linux).
    /// </summary>
    public static string? FindHostLibStdCxx()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return null;
        }

        ushort? machine = CurrentProcessMachine();
        foreach (string candidate in HostLibStdCxxCandidates())
        {
            if (IsElf64ForMachine(candidate, machine))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Whether the host libstdc++ (see <see cref="FindHostLibStdCxx"/>) defines <paramref name="version"/>.</summary>
    public static bool HostProvides(string version)
    {
        string? lib = FindHostLibStdCxx();
        return lib != null && GetDefinedVersions(lib).Contains(version, StringComparer.Ordinal);
    }

    /// <summary>
    /// Canonical absolute path with every symlink resolved (realpath(3)); falls back to
    /// <see cref="Path.GetFullPath(string)"/> where that is unavailable or the path does not exist.
    /// </summary>
    public static string ResolveRealPath(string path)
    {
        string full = Path.GetFullPath(path);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return full;
        }

        try
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(full + "\0");
            IntPtr resolved = NativeMethods.realpath(utf8, IntPtr.Zero);
            if (resolved == IntPtr.Zero)
            {
                return full;
            }

            try
            {
                return PtrToUtf8String(resolved);
            }
            finally
            {
                NativeMethods.free(resolved);
            }
        }
        catch (DllNotFoundException)
        {
            return full;
        }
        catch (EntryPointNotFoundException)
        {
            return full;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> lies under one of <paramref name="roots"/>, comparing both the
    /// literal absolute paths and the paths with symlinks resolved (for the file's directory and the roots).
    /// </summary>
    public static bool IsUnderAnyDirectory(string path, IEnumerable<string> roots)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        var candidates = new List<string> { full };
        if (directory != null)
        {
            candidates.Add(Path.Combine(ResolveRealPath(directory), Path.GetFileName(full)));
        }

        StringComparison comparison = RuntimeInformation.IsOSPlatform(OSPlatform.Linux)
            ? StringComparison.Ordinal
            : StringComparison.OrdinalIgnoreCase;
        foreach (string root in roots)
        {
            if (string.IsNullOrWhiteSpace(root))
            {
                continue;
            }

            foreach (string rootForm in new[] { Path.GetFullPath(root.Trim()), ResolveRealPath(root.Trim()) })
            {
                string prefix = rootForm.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal)
                    ? rootForm
                    : rootForm + Path.DirectorySeparatorChar;
                if (candidates.Any(c => c.StartsWith(prefix, comparison)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // ------------------------------------------------------------------ host lookup

    private static IEnumerable<string> HostLibStdCxxCandidates()
    {
        string? ldLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (!string.IsNullOrEmpty(ldLibraryPath))
        {
            foreach (string dir in ldLibraryPath!.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries))
            {
                yield return Path.Combine(dir, LibStdCxxSoname);
            }
        }

        foreach (string fromCache in LdconfigEntries(LibStdCxxSoname))
        {
            yield return fromCache;
        }

        string[] dirs =
        {
            "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/arm-linux-gnueabihf", "/usr/lib/i386-linux-gnu",
            "/usr/lib/powerpc64le-linux-gnu", "/usr/lib/s390x-linux-gnu", "/usr/lib/riscv64-linux-gnu",
            "/usr/lib64", "/lib64", "/usr/local/lib64", "/usr/local/lib", "/usr/lib", "/lib",
        };
        foreach (string dir in dirs)
        {
            yield return Path.Combine(dir, LibStdCxxSoname);
        }
    }

    /// <summary>Paths that <c>ldconfig -p</c> lists for <paramref name="soname"/>; empty when ldconfig is unavailable.</summary>
    internal static IReadOnlyList<string> LdconfigEntries(string soname)
    {
        foreach (string ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig", "/bin/ldconfig", "ldconfig" })
        {
            if (ldconfig.IndexOf('/') >= 0 && !File.Exists(ldconfig))
            {
                continue;
            }

            string? output = TryRun(ldconfig, "-p");
            if (output != null)
            {
                return ParseLdconfigOutput(output, soname);
            }
        }

        return new List<string>();
    }

    /// <summary>Parses <c>ldconfig -p</c> lines such as <c>libstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6</c>.</summary>
    public static IReadOnlyList<string> ParseLdconfigOutput(string output, string soname)
    {
        var result = new List<string>();
        foreach (string rawLine in output.Split('\n'))
        {
            string line = rawLine.Trim();
            if (!line.StartsWith(soname + " ", StringComparison.Ordinal))
            {
                continue;
            }

            int arrow = line.IndexOf("=>", StringComparison.Ordinal);
            if (arrow < 0)
            {
                continue;
            }

            string path = line.Substring(arrow + 2).Trim();
            if (path.Length > 0 && !result.Contains(path))
            {
                result.Add(path);
            }
        }

        return result;
    }

    private static string? TryRun(string fileName, string arguments)
    {
        try
        {
            var startInfo = new ProcessStartInfo(fileName, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            startInfo.Environment["LC_ALL"] = "C";
            using (Process? process = Process.Start(startInfo))
            {
                if (process == null)
                {
                    return null;
                }

                // Drain stderr asynchronously so neither pipe can fill up and block the child.
                process.ErrorDataReceived += (_, _) => { };
                process.BeginErrorReadLine();
                string stdout = process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit(10000))
                {
                    try
                    {
                        process.Kill();
                    }
                    catch (InvalidOperationException)
                    {
                    }

                    return null;
                }

                return process.ExitCode == 0 ? stdout : null;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static ushort? CurrentProcessMachine()
    {
        switch (RuntimeInformation.ProcessArchitecture.ToString())
        {
            case "X64": return 62;
            case "Arm64": return 183;
            case "X86": return 3;
            case "Arm": return 40;
            case "S390x": return 22;
            case "Ppc64le": return 21;
            case "RiscV64": return 243;
            case "LoongArch64": return 258;
            default: return null;
        }
    }

    private static bool IsElf64ForMachine(string path, ushort? machine)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            byte[] header = ReadPrefix(path, 20);
            if (header.Length < 20 || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F'
                || header[4] != 2 || header[5] != 1)
            {
                return false;
            }

            return machine == null || (ushort)(header[18] | (header[19] << 8)) == machine.Value;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static byte[] ReadPrefix(string path, int count)
    {
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            var buffer = new byte[count];
            int total = 0;
            while (total < count)
            {
                int read = stream.Read(buffer, total, count - total);
                if (read <= 0)
                {
                    break;
                }

                total += read;
            }

            if (total == count)
            {
                return buffer;
            }

            var shorter = new byte[total];
            Array.Copy(buffer, shorter, total);
            return shorter;
        }
    }

    // ------------------------------------------------------------------ writing

    private static void ReplaceFileContent(string path, byte[] content)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        string tempPath = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        // Timestamp of the content (a symlink's target, not the link itself): incremental copies
        // compare it with the package file, so keeping it keeps them from copying the file again.
        DateTime lastWriteUtc = File.GetLastWriteTimeUtc(ResolveRealPath(fullPath));
        try
        {
            // File.Copy creates a new inode with the source's permission bits (it follows a symlink,
            // and never writes to the source); the patched content then overwrites that copy only.
            File.Copy(fullPath, tempPath, overwrite: false);
            using (var stream = new FileStream(tempPath, FileMode.Open, FileAccess.Write, FileShare.None))
            {
                stream.SetLength(0);
                stream.Write(content, 0, content.Length);
                stream.Flush(true);
            }

            File.SetLastWriteTimeUtc(tempPath, lastWriteUtc);
            MoveOverwrite(tempPath, fullPath);
        }
        finally
        {
            if (File.Exists(tempPath))
            {
                File.Delete(tempPath);
            }
        }
    }

    private static void MoveOverwrite(string source, string destination)
    {
        // File.Move(string, string, bool) exists from .NET Core 3.0 on, which is what runs MSBuild
        // under the .NET SDK; this assembly targets netstandard 2.0, hence reflection.
        // Both it and the File.Replace fallback are a rename(2) on Unix: the directory entry is
        // replaced and whatever it pointed to before (hardlinked inode, symlink target) is untouched.
        System.Reflection.MethodInfo? move = typeof(File).GetMethod(
            "Move", new[] { typeof(string), typeof(string), typeof(bool) });
        if (move != null)
        {
            try
            {
                move.Invoke(null, new object[] { source, destination, true });
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }

            return;
        }

        File.Replace(source, destination, null);
    }

    // ------------------------------------------------------------------ parsing

    private static IReadOnlyList<string> GetDefinedVersions(byte[] bytes, string elfPath)
    {
        var image = new ElfImage(bytes, elfPath);
        var result = new List<string>();
        foreach (Section verdef in image.Sections.Where(s => s.Type == ShtGnuVerdef))
        {
            Section strtab = image.LinkedStringTable(verdef);
            long offset = (long)verdef.Offset;
            long end = (long)(verdef.Offset + verdef.Size);
            int guard = 0;
            for (uint i = 0; verdef.Info == 0 || i < verdef.Info; i++)
            {
                image.Require(offset, 20, end, "Verdef entry");
                ushort vdVersion = image.U16(offset);
                ushort vdFlags = image.U16(offset + 2);
                ushort vdCount = image.U16(offset + 6);
                uint vdAux = image.U32(offset + 12);
                uint vdNext = image.U32(offset + 16);
                if (vdVersion != 1)
                {
                    throw new ElfFormatException($"{elfPath}: unsupported Verdef version {vdVersion}.");
                }

                if (vdCount > 0 && (vdFlags & VerFlagBase) == 0)
                {
                    long auxOffset = offset + vdAux;
                    image.Require(auxOffset, 8, end, "Verdaux entry");
                    string name = image.String(strtab, image.U32(auxOffset));
                    if (!result.Contains(name))
                    {
                        result.Add(name);
                    }
                }

                if (vdNext == 0)
                {
                    break;
                }

                offset += vdNext;
                if (++guard > 100000)
                {
                    throw new ElfFormatException($"{elfPath}: Verdef chain does not terminate.");
                }
            }
        }

        return result;
    }

    private static IReadOnlyList<ElfVersionRequirement> ReadRequirements(ElfImage image)
    {
        var result = new List<ElfVersionRequirement>();
        foreach (Section verneed in image.Sections.Where(s => s.Type == ShtGnuVerneed))
        {
            Section strtab = image.LinkedStringTable(verneed);
            long offset = (long)verneed.Offset;
            long end = (long)(verneed.Offset + verneed.Size);
            int guard = 0;
            for (uint i = 0; verneed.Info == 0 || i < verneed.Info; i++)
            {
                image.Require(offset, 16, end, "Verneed entry");
                ushort vnVersion = image.U16(offset);
                ushort vnCount = image.U16(offset + 2);
                string file = image.String(strtab, image.U32(offset + 4));
                uint vnAux = image.U32(offset + 8);
                uint vnNext = image.U32(offset + 12);
                if (vnVersion != 1)
                {
                    throw new ElfFormatException($"{image.Path}: unsupported Verneed version {vnVersion}.");
                }

                long auxOffset = offset + vnAux;
                for (int j = 0; j < vnCount; j++)
                {
                    image.Require(auxOffset, 16, end, "Vernaux entry");
                    ushort flags = image.U16(auxOffset + 4);
                    ushort other = image.U16(auxOffset + 6);
                    string name = image.String(strtab, image.U32(auxOffset + 8));
                    uint vnaNext = image.U32(auxOffset + 12);
                    result.Add(new ElfVersionRequirement(file, name, flags, other, auxOffset + 4));
                    if (vnaNext == 0)
                    {
                        break;
                    }

                    auxOffset += vnaNext;
                }

                if (vnNext == 0)
                {
                    break;
                }

                offset += vnNext;
                if (++guard > 100000)
                {
                    throw new ElfFormatException($"{image.Path}: Verneed chain does not terminate.");
                }
            }
        }

        return result;
    }

    private static string PtrToUtf8String(IntPtr pointer)
    {
        int length = 0;
        while (Marshal.ReadByte(pointer, length) != 0)
        {
            length++;
        }

        var buffer = new byte[length];
        Marshal.Copy(pointer, buffer, 0, length);
        return Encoding.UTF8.GetString(buffer);
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "realpath")]
        internal static extern IntPtr realpath(byte[] path, IntPtr resolvedPath);

        [DllImport("libc", EntryPoint = "free")]
        internal static extern void free(IntPtr pointer);
    }

    private sealed class Section
    {
        public uint Type;
        public ulong Offset;
        public ulong Size;
        public uint Link;
        public uint Info;
        public ulong EntSize;
    }

    private sealed class ElfImage
    {
        private readonly byte[] _bytes;

        public ElfImage(byte[] bytes, string path)
        {
            _bytes = bytes;
            Path = path;

            if (bytes.Length < 16 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            {
                throw new ElfFormatException($"{path}: not an ELF file (missing the \\x7fELF magic).");
            }

            if (bytes[4] != 2)
            {
                throw new ElfFormatException(
                    $"{path}: ELF class {bytes[4]} ({(bytes[4] == 1 ? "32-bit" : "unknown")}) is not supported; only ELF64 little-endian files are.");
            }

            if (bytes[5] != 1)
            {
                throw new ElfFormatException(
                    $"{path}: ELF data encoding {bytes[5]} ({(bytes[5] == 2 ? "big-endian" : "unknown")}) is not supported; only ELF64 little-endian files are.");
            }

            if (bytes.Length < ElfHeaderSize)
            {
                throw new ElfFormatException($"{path}: truncated ELF header ({bytes.Length} bytes).");
            }

            Machine = U16(18);
            ulong shoff = U64(0x28);
            ushort shentsize = U16(0x3a);
            ulong shnum = U16(0x3c);
            if (shoff == 0)
            {
                throw new ElfFormatException($"{path}: the ELF file has no section headers.");
            }

            if (shentsize < SectionHeaderSize)
            {
                throw new ElfFormatException($"{path}: section header entry size {shentsize} is smaller than {SectionHeaderSize}.");
            }

            Require((long)shoff, shentsize, _bytes.Length, "section header table");
            Section first = ReadSection((long)shoff);
            if (shnum == 0)
            {
                // Extended numbering: the real count is in sh_size of section 0.
                shnum = first.Size;
            }

            if (shnum > (ulong)(_bytes.Length / shentsize))
            {
                throw new ElfFormatException($"{path}: {shnum} section headers cannot fit in the file; the file is truncated or malformed.");
            }

            Require((long)shoff, (long)shnum * shentsize, _bytes.Length, "section header table");
            var sections = new List<Section>((int)shnum);
            for (long i = 0; i < (long)shnum; i++)
            {
                sections.Add(ReadSection((long)shoff + ((long)i * shentsize)));
            }

            Sections = sections;
        }

        public string Path { get; }

        public ushort Machine { get; }

        public IReadOnlyList<Section> Sections { get; }

        public Section LinkedStringTable(Section section)
        {
            if (section.Link == 0 || section.Link >= Sections.Count)
            {
                throw new ElfFormatException($"{Path}: section of type 0x{section.Type:x} has invalid sh_link {section.Link}.");
            }

            Section strtab = Sections[(int)section.Link];
            if (strtab.Type == ShtNobits)
            {
                throw new ElfFormatException($"{Path}: string table section {section.Link} has no data in the file.");
            }

            Require((long)strtab.Offset, (long)strtab.Size, _bytes.Length, "string table");
            return strtab;
        }

        public string String(Section strtab, uint offset)
        {
            if (offset >= strtab.Size)
            {
                throw new ElfFormatException($"{Path}: string offset {offset} is outside its string table ({strtab.Size} bytes).");
            }

            long start = (long)strtab.Offset + offset;
            long end = (long)(strtab.Offset + strtab.Size);
            long p = start;
            while (p < end && _bytes[p] != 0)
            {
                p++;
            }

            if (p >= end)
            {
                throw new ElfFormatException($"{Path}: unterminated string at offset {offset}.");
            }

            return Encoding.UTF8.GetString(_bytes, (int)start, (int)(p - start));
        }

        public void Require(long offset, long length, long limit, string what)
        {
            long bound = Math.Min(limit, _bytes.Length);
            if (offset < 0 || length < 0 || offset > bound || length > bound - offset)
            {
                throw new ElfFormatException($"{Path}: {what} at offset {offset} (+{length}) lies outside its bounds; the file is truncated or malformed.");
            }
        }

        public ushort U16(long offset)
        {
            return (ushort)(_bytes[offset] | (_bytes[offset + 1] << 8));
        }

        public uint U32(long offset)
        {
            return (uint)(_bytes[offset] | (_bytes[offset + 1] << 8) | (_bytes[offset + 2] << 16) | (_bytes[offset + 3] << 24));
        }

        public ulong U64(long offset)
        {
            return U32(offset) | ((ulong)U32(offset + 4) << 32);
        }

        private Section ReadSection(long offset)
        {
            return new Section
            {
                Type = U32(offset + 4),
                Offset = U64(offset + 24),
                Size = U64(offset + 32),
                Link = U32(offset + 40),
                Info = U32(offset + 44),
                EntSize = U64(offset + 56),
            };
        }
    }
}
