using Spectre.Console.Testing;

namespace GradientWatch.Demo.Tests;

/// <summary>The live view, rendered to an interactive test console.</summary>
[Collection(DemoCollection.Name)]
public sealed class LiveViewTests
{
    [Fact]
    public void ATerminalGetsTheLiveViewWithPerLayerBarsAndEvents()
    {
        var console = new TestConsole().Interactive().EmitAnsiSequences();
        console.Profile.Width = 160;
        console.Profile.Height = 60;
        string dir = Path.Combine(Path.GetTempPath(), "gw-demo-live-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            int code = new DemoApp(console, new DemoEnvironment { IsTerminal = true }).Run(new[] { "exploding", "--epochs", "3", "--out", dir, "--no-metrics", "--step-delay", "0" });
            Assert.Equal(0, code);
            string output = console.Output;
            Assert.Contains("gradient norm, log scale", output);
            Assert.Contains("epoch", output);
            Assert.Contains("fc4", output);
            Assert.Contains("█", output);
            Assert.Contains("latest events", output);
            Assert.Contains("clip_global_norm", output);
            Assert.DoesNotContain("plain progress lines", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void NoLiveFallsBackToPlainLinesEvenOnATerminal()
    {
        var console = new TestConsole().Interactive();
        console.Profile.Width = 200;
        string dir = Path.Combine(Path.GetTempPath(), "gw-demo-plain-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            int code = new DemoApp(console, new DemoEnvironment { IsTerminal = true }).Run(new[] { "healthy", "--epochs", "2", "--out", dir, "--no-metrics", "--no-live" });
            Assert.Equal(0, code);
            Assert.Contains("[healthy] step   16/16", console.Output);
            Assert.DoesNotContain("gradient norm, log scale", console.Output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
