using System.Runtime.InteropServices;
using TorchSharp;

namespace GradientWatch;

/// <summary>
/// Checks that TorchSharp's native backend (libtorch, through TorchSharp's LibTorchSharp shim) loads, and says
/// clearly why when it does not. GradientWatch references the managed <c>TorchSharp</c> package only: the
/// application picks the backend by referencing <c>TorchSharp-cpu</c>, <c>TorchSharp-cuda-linux</c> or
/// <c>TorchSharp-cuda-windows</c>.
/// </summary>
public static class TorchSharpBackend
{
    private static readonly string[] LibTorchFileNames =
    [
        "libtorch_cpu.so", "libtorch.so", "torch_cpu.dll", "torch.dll", "libtorch_cpu.dylib", "libtorch.dylib",
    ];

    private static volatile bool loaded;

    /// <summary>
    /// Loads TorchSharp's native backend if it is not loaded yet. GradientWatch calls this when a watcher is built,
    /// before <c>GradientCheck.Run</c>, and before GradientWatch.ML trains a module; call it at startup to fail
    /// early, before your own first tensor.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The backend does not load. The message says whether no backend package is deployed with the application
    /// (and which packages provide one) or whether one is deployed but its native libraries do not load on this
    /// machine (with what to check); the exception TorchSharp threw is the inner exception.
    /// </exception>
    public static void EnsureAvailable()
    {
        if (loaded)
        {
            return;
        }

        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException
                                      or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new InvalidOperationException(Explain(e, AppContext.BaseDirectory, FindLibTorch(AppContext.BaseDirectory)), e);
        }

        loaded = true;
    }

    /// <summary>The message for a backend that failed to load; <paramref name="libTorch"/> is the libtorch found, if any.</summary>
    internal static string Explain(Exception error, string appDirectory, string? libTorch)
    {
        string torchSharpSaid = Innermost(error).Message;
        if (libTorch is null)
        {
            return "TorchSharp has no backend: no libtorch native library was found with this application (" + appDirectory + "). "
                + "GradientWatch references only the managed TorchSharp package, so the application chooses the backend. Add one: "
                + "`dotnet add package TorchSharp-cpu` (CPU, any OS), or TorchSharp-cuda-linux / TorchSharp-cuda-windows (NVIDIA GPU). "
                + "TorchSharp said: " + torchSharpSaid;
        }

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return "TorchSharp's native libraries are deployed (" + libTorch + ") but do not load. "
                + "On Debian 12, Ubuntu 22.04 and other systems whose libstdc++ predates GLIBCXX_3.4.32, TorchSharp's libLibTorchSharp.so "
                + "loads only after GradientWatch's build step has marked that requirement weak in the output copy: check that the build "
                + "log shows \"GradientWatch: marked GLIBCXX_3.4.32 weak\" and that the MSBuild property GradientWatchFixTorchSharpNative "
                + "is not false, and run `ldd` on libLibTorchSharp.so in the application folder to see what is missing. "
                + "TorchSharp said: " + torchSharpSaid;
        }

        return "TorchSharp's native libraries are deployed (" + libTorch + ") but do not load. TorchSharp said: " + torchSharpSaid;
    }

    /// <summary>The first libtorch library in <paramref name="appDirectory"/> or its <c>runtimes/*/native</c> folders.</summary>
    internal static string? FindLibTorch(string appDirectory)
    {
        try
        {
            var folders = new List<string> { appDirectory };
            string runtimes = Path.Combine(appDirectory, "runtimes");
            if (Directory.Exists(runtimes))
            {
                folders.AddRange(Directory.EnumerateDirectories(runtimes).Select(rid => Path.Combine(rid, "native")).Where(Directory.Exists));
            }

            return folders.SelectMany(folder => LibTorchFileNames.Select(name => Path.Combine(folder, name))).FirstOrDefault(File.Exists);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
