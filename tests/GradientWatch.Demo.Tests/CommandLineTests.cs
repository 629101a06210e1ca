using System.Net;
using System.Net.Sockets;
using Spectre.Console.Testing;

namespace GradientWatch.Demo.Tests;

/// <summary>The command line, in-process: usage, and clear messages with non-zero exit codes for bad input.</summary>
[Collection(DemoCollection.Name)]
public sealed class CommandLineTests
{
    private static (int Code, string Output) Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 250;
        int code = new DemoApp(console, new DemoEnvironment { IsTerminal = false }).Run(args);
        return (code, console.Output);
    }

    [Fact]
    public void HelpListsTheScenariosAndOptions()
    {
        var (code, output) = Run("--help");
        Assert.Equal(0, code);
        foreach (var text in new[] { "healthy", "exploding", "vanishing", "nan", "compare", "--seed", "--epochs", "--steps", "--out", "--no-live", "--metrics-port", "--linger" })
        {
            Assert.Contains(text, output);
        }
    }

    [Fact]
    public void UnknownScenarioIsAUsageError()
    {
        var (code, output) = Run("explode");
        Assert.Equal(DemoApp.Usage, code);
        Assert.Contains("explode", output);
        Assert.Contains("exploding", output);
        Assert.Contains("--help", output);
    }

    [Theory]
    [InlineData("--steps", "-5")]
    [InlineData("--steps=-5", null)]
    [InlineData("--epochs", "0")]
    [InlineData("--metrics-port", "70000")]
    [InlineData("--steps", "ten")]
    public void BadNumbersAreUsageErrors(string option, string? value)
    {
        var (code, output) = value is null ? Run("healthy", option) : Run("healthy", option, value);
        Assert.Equal(DemoApp.Usage, code);
        Assert.Contains("error:", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void StepsAndEpochsTogetherAreAUsageError()
    {
        var (code, output) = Run("healthy", "--steps", "10", "--epochs", "2");
        Assert.Equal(DemoApp.Usage, code);
        Assert.Contains("either --epochs or --steps", output);
    }

    [Fact]
    public void AnUnwritableOutputDirectoryIsAClearError()
    {
        string file = Path.GetTempFileName();
        try
        {
            var (code, output) = Run("healthy", "--out", Path.Combine(file, "sub"), "--no-metrics");
            Assert.Equal(DemoApp.Failed, code);
            Assert.Contains("Cannot write to the output directory", output);
            Assert.DoesNotContain("   at ", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AnExplicitPortInUseIsAClearError()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, output) = Run("healthy", "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", Path.GetTempPath());
        Assert.Equal(DemoApp.Failed, code);
        Assert.Contains($"Port {port} on 127.0.0.1 is already in use", output);
    }

    [Fact]
    public void TheStepsOptionSetsTheRunLength()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gw-demo-steps-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (code, output) = Run("nan", "--steps", "20", "--out", dir, "--no-metrics", "--no-live");
            Assert.True(code == 0, output);
            var steps = StepTable.Read(Path.Combine(dir, "nan", "steps.csv"));
            Assert.Equal(24, steps.Rows.Count); // 20 steps, rounded up to 3 whole epochs of 8 batches
            Assert.Contains("[nan] step   24/24", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
