using GradientWatch.Demo.Training;
using Spectre.Console.Testing;

namespace GradientWatch.Demo.Tests;

/// <summary>Runs every scenario once, in-process and headless, in a short configuration; the tests read its outputs.</summary>
public sealed class DemoFixture : IDisposable
{
    public const int Epochs = 15;

    public DemoFixture()
    {
        Output = Path.Combine(Path.GetTempPath(), "gradientwatch-demo-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Console = new TestConsole();
        Console.Profile.Width = 200;
        ExitCode = new DemoApp(Console, new DemoEnvironment { IsTerminal = false })
            .Run(new[] { "all", "--out", Output, "--epochs", Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-metrics", "--seed", "1" });
    }

    public string Output { get; }

    public TestConsole Console { get; }

    public int ExitCode { get; }

    public string Text => Console.Output;

    public string Dir(string scenario) => Path.Combine(Output, scenario);

    public IReadOnlyList<GradientEvent> Events(string scenario)
        => File.ReadLines(Path.Combine(Dir(scenario), "events.jsonl")).Where(l => l.Length > 0).Select(GradientEvent.ParseJson).ToArray();

    public StepTable Steps(string scenario) => StepTable.Read(Path.Combine(Dir(scenario), "steps.csv"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Output, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
