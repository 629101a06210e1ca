using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace GradientWatch.Demo.Tests;

/// <summary>The demo as a process: bad input gives a clear message, a non-zero exit code and no stack trace.</summary>
public sealed class ProcessTests
{
    private static readonly string DemoPath = typeof(ProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "DemoPath").Value!;

    private static (int Code, string Output) RunDemo(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(DemoPath);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the demo did not exit");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static void AssertCleanFailure((int Code, string Output) result, string expected)
    {
        Assert.NotEqual(0, result.Code);
        Assert.Contains(expected, result.Output);
        Assert.DoesNotContain("   at ", result.Output);
        Assert.DoesNotContain("Unhandled exception", result.Output);
    }

    [Fact]
    public void UnknownScenario() => AssertCleanFailure(RunDemo("explode"), "explode");

    [Fact]
    public void NegativeSteps() => AssertCleanFailure(RunDemo("exploding", "--steps", "-3"), "--steps must be a number of steps of at least 1");

    [Fact]
    public void UnwritableOutputDirectory()
    {
        string file = Path.GetTempFileName();
        try
        {
            AssertCleanFailure(RunDemo("healthy", "--out", Path.Combine(file, "out"), "--no-metrics"), "Cannot write to the output directory");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void PortInUse()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        AssertCleanFailure(RunDemo("healthy", "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", Path.GetTempPath()), "already in use");
    }
}
