using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace GradientWatch.Build;

/// <summary>
/// MSBuild task (shipped compiled, netstandard2.0, in the GradientWatch package under tasks/): for each given copy of
/// a native library, marks WEAK every version it requires from libstdc++ that the host's libstdc++
/// does not define. Never touches files under the NuGet package folders.
/// </summary>
public sealed class TorchSharpNativeFixTask : Microsoft.Build.Utilities.Task
{
    /// <summary>The native libraries to check (copies in the build or publish output).</summary>
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

    /// <summary>Semicolon-separated NuGet package folders (NuGetPackageRoot; NuGetPackageFolders) that must never be modified.</summary>
    public string PackageFolders { get; set; } = string.Empty;

    /// <summary>Optional path of the libstdc++.so.6 to compare against instead of the one found on the host.</summary>
    public string HostLibStdCxx { get; set; } = string.Empty;

    /// <summary>The files that were patched.</summary>
    [Microsoft.Build.Framework.Output]
    public Microsoft.Build.Framework.ITaskItem[] PatchedFiles { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

    /// <inheritdoc />
    public override bool Execute()
    {
        var low = Microsoft.Build.Framework.MessageImportance.Low;
        var normal = Microsoft.Build.Framework.MessageImportance.Normal;
        var high = Microsoft.Build.Framework.MessageImportance.High;

        string? hostLib = string.IsNullOrWhiteSpace(HostLibStdCxx) ? ElfSymbolVersionPatcher.FindHostLibStdCxx() : HostLibStdCxx.Trim();
        if (hostLib == null || !File.Exists(hostLib))
        {
            Log.LogMessage(high, "GradientWatch: no host libstdc++.so.6 found; not checking {0} native librar{1}.", Files.Length, Files.Length == 1 ? "y" : "ies");
            return true;
        }

        IReadOnlyList<string> hostVersions;
        ushort hostMachine;
        try
        {
            hostVersions = ElfSymbolVersionPatcher.GetDefinedVersions(hostLib);
            hostMachine = ElfSymbolVersionPatcher.GetMachine(hostLib);
        }
        catch (Exception e) when (e is ElfFormatException || e is IOException || e is UnauthorizedAccessException)
        {
            Log.LogMessage(high, "GradientWatch: cannot read the host libstdc++ {0}: {1}", hostLib, e.Message);
            return true;
        }

        string[] packageFolders = (PackageFolders ?? string.Empty)
            .Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Trim())
            .Where(p => p.Length > 0)
            .ToArray();
        var patched = new List<Microsoft.Build.Framework.ITaskItem>();

        foreach (Microsoft.Build.Framework.ITaskItem item in Files)
        {
            string path = item.ItemSpec;
            string fullPath = item.GetMetadata("FullPath");
            if (string.IsNullOrEmpty(fullPath))
            {
                fullPath = Path.GetFullPath(path);
            }

            if (ElfSymbolVersionPatcher.IsUnderAnyDirectory(fullPath, packageFolders))
            {
                Log.LogMessage(high, "GradientWatch: not patching {0}: it lies in the NuGet package folder, which must stay untouched.", path);
                continue;
            }

            try
            {
                ushort machine = ElfSymbolVersionPatcher.GetMachine(fullPath);
                if (machine != hostMachine)
                {
                    Log.LogMessage(low, "GradientWatch: {0} is for ELF machine {1}, the host libstdc++ for {2}; not checking it.", path, machine, hostMachine);
                    continue;
                }

                IReadOnlyList<string> missing = ElfSymbolVersionPatcher.GetLibStdCxxVersionsMissingOnHost(fullPath, hostVersions);
                if (missing.Count == 0)
                {
                    Log.LogMessage(low, "GradientWatch: host libstdc++ ({0}) defines every version {1} requires; nothing to patch.", hostLib, path);
                    continue;
                }

                var symbols = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string version in missing)
                {
                    IReadOnlyList<string> users = ElfSymbolVersionPatcher.GetSymbolsUsingVersion(fullPath, version);
                    symbols[version] = users.Count == 0 ? "no symbols" : string.Join(", ", users);
                }

                IReadOnlyDictionary<string, PatchResult> results = ElfSymbolVersionPatcher.MarkVersionRequirementsWeak(fullPath, missing);
                var nowWeak = results.Where(r => r.Value == PatchResult.Patched).Select(r => r.Key).ToList();
                var alreadyWeak = results.Where(r => r.Value == PatchResult.AlreadyWeak).Select(r => r.Key).ToList();
                if (nowWeak.Count > 0)
                {
                    Log.LogMessage(high, "GradientWatch: marked {0} weak in {1} (host libstdc++ lacks {2}; used by {3})",
                        string.Join(", ", nowWeak), path, nowWeak.Count == 1 ? "it" : "them",
                        string.Join("; ", nowWeak.Select(v => symbols[v])));
                    patched.Add(item);
                }

                if (alreadyWeak.Count > 0)
                {
                    Log.LogMessage(normal, "GradientWatch: {0} already weak in {1} (host libstdc++ lacks {2})",
                        string.Join(", ", alreadyWeak), path, alreadyWeak.Count == 1 ? "it" : "them");
                }
            }
            catch (ElfFormatException e)
            {
                Log.LogMessage(normal, "GradientWatch: skipping {0}: {1}", path, e.Message);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                Log.LogMessage(high, "GradientWatch: could not check or patch {0}: {1}", path, e.Message);
            }
        }

        PatchedFiles = patched.ToArray();
        return !Log.HasLoggedErrors;
    }
}
