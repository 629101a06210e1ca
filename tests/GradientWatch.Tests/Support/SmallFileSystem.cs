using System.Diagnostics;

namespace GradientWatch.Tests.Support;

/// <summary>A 64 KiB tmpfs mounted in a temporary directory, to fill a file system for real; unmounted on dispose.</summary>
internal sealed class SmallFileSystem : IDisposable
{
    private SmallFileSystem(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Mounts the file system, or returns null where mounting is not allowed (not root, or no mount command).</summary>
    public static SmallFileSystem? TryMount()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return null;
        }

        string dir = Path.Combine(Path.GetTempPath(), $"gw-tmpfs-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(dir);
        if (Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir))
        {
            return new SmallFileSystem(dir);
        }

        System.IO.Directory.Delete(dir);
        return null;
    }

    public void Dispose()
    {
        Run("umount", Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Still mounted (busy): left for the OS to clean up.
        }
    }

    private static bool Run(string program, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
            p.WaitForExit(10_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
