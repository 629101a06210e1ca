namespace GradientWatch.Tests;

/// <summary>The backend check's diagnosis: which message a user gets for a missing versus an unloadable backend.</summary>
public sealed class TorchSharpBackendTests : IDisposable
{
    private readonly string appDirectory = Path.Combine(Path.GetTempPath(), "gw-backend-" + Guid.NewGuid().ToString("N"));

    public TorchSharpBackendTests() => Directory.CreateDirectory(appDirectory);

    public void Dispose() => Directory.Delete(appDirectory, recursive: true);

    [Fact]
    public void EnsureAvailable_Succeeds_WhereTorchSharpCpuIsDeployed()
    {
        TorchSharpBackend.EnsureAvailable();
        TorchSharpBackend.EnsureAvailable();
        Assert.NotNull(TorchSharpBackend.FindLibTorch(AppContext.BaseDirectory));
    }

    [Fact]
    public void NoLibTorch_NamesTheBackendPackages_AndKeepsTorchSharpsMessage()
    {
        var error = new TypeInitializationException("TorchSharp.torch", new NotSupportedException("doesn't contain a reference to libtorch-cpu-linux-x64"));

        Assert.Null(TorchSharpBackend.FindLibTorch(appDirectory));
        string message = TorchSharpBackend.Explain(error, appDirectory, TorchSharpBackend.FindLibTorch(appDirectory));

        Assert.StartsWith("TorchSharp has no backend", message, StringComparison.Ordinal);
        Assert.Contains("dotnet add package TorchSharp-cpu", message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp-cuda-linux", message, StringComparison.Ordinal);
        Assert.Contains(appDirectory, message, StringComparison.Ordinal);
        Assert.EndsWith("TorchSharp said: doesn't contain a reference to libtorch-cpu-linux-x64", message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeployedLibTorch_IsFoundUnderRuntimes_AndTheMessagePointsAtTheNativeFix()
    {
        string native = Path.Combine(appDirectory, "runtimes", "linux-x64", "native");
        Directory.CreateDirectory(native);
        File.WriteAllBytes(Path.Combine(native, "libtorch_cpu.so"), [0x7f]);

        string? found = TorchSharpBackend.FindLibTorch(appDirectory);
        string message = TorchSharpBackend.Explain(new DllNotFoundException("libLibTorchSharp"), appDirectory, found);

        Assert.Equal(Path.Combine(native, "libtorch_cpu.so"), found);
        Assert.Contains("deployed (" + found + ") but do not load", message, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("GLIBCXX_3.4.32", message, StringComparison.Ordinal);
            Assert.Contains("GradientWatchFixTorchSharpNative", message, StringComparison.Ordinal);
        }
    }
}
