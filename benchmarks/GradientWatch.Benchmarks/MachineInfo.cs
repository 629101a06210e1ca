using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;

namespace GradientWatch.Benchmarks;

/// <summary>What the benchmark ran on.</summary>
internal sealed record MachineInfo(
    string Cpu,
    int LogicalCores,
    string Os,
    string Runtime,
    string TorchSharp,
    int TorchThreads,
    string Vectors,
    string Date)
{
    public static MachineInfo Collect() => new(
        CpuModel(),
        Environment.ProcessorCount,
        OsDescription(),
        RuntimeInformation.FrameworkDescription,
        TorchSharpVersion(),
        torch.get_num_threads(),
        $"Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "no")}, Vector<T> {System.Numerics.Vector<byte>.Count * 8}-bit, kernel width {Statistics.FusedReduction.VectorBits}-bit",
        DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Process resident set size in bytes (VmRSS on Linux, the working set elsewhere).</summary>
    public static long ResidentSetBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Environment.WorkingSet;
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                string model = line[(line.IndexOf(':') + 1)..].Trim();
                var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? string.Empty;
                string isa = flags.Contains(" avx512f", StringComparison.Ordinal) ? "AVX-512" : flags.Contains(" avx2", StringComparison.Ordinal) ? "AVX2" : "no AVX2";
                return $"{model} ({isa})";
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string OsDescription()
    {
        try
        {
            var pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null)
            {
                return pretty["PRETTY_NAME=".Length..].Trim('"') + ", kernel " + Environment.OSVersion.Version;
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.OSDescription;
    }

    private static string TorchSharpVersion()
    {
        var assembly = typeof(torch).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?";
        int plus = version.IndexOf('+');
        return "TorchSharp " + (plus > 0 ? version[..plus] : version) + " (TorchSharp-cpu, LibTorch " + torch.__version__ + ")";
    }
}
