using System.CommandLine;
using System.CommandLine.Parsing;
using GradientWatch.Demo.Metrics;
using GradientWatch.Demo.Scenarios;

namespace GradientWatch.Demo.Cli;

/// <summary>The demo's command line (System.CommandLine): parses arguments into <see cref="DemoSettings"/>.</summary>
internal sealed class DemoCommandLine
{
    private readonly Argument<string> scenario = new("scenario")
    {
        Description = "Scenario to run: " + string.Join(", ", ScenarioCatalog.Names) + ". Default: all (every scenario, briefly).",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => ScenarioCatalog.All,
    };

    private readonly Option<int> seed = new("--seed") { Description = "Seed for the data, the initialization and the shuffling.", DefaultValueFactory = _ => 1 };
    private readonly Option<int?> epochs = new("--epochs") { Description = "Epochs to train each run (default: the scenario's; 8 steps per epoch)." };
    private readonly Option<int?> steps = new("--steps") { Description = "Optimizer steps to train each run, rounded up to whole epochs (instead of --epochs)." };
    private readonly Option<string> output = new("--out", "-o") { Description = "Output folder for events, statistics, plots and reports.", DefaultValueFactory = _ => DemoSettings.DefaultOutput };
    private readonly Option<bool> noLive = new("--no-live") { Description = "Print plain progress lines instead of the live view (automatic when output is not a terminal)." };
    private readonly Option<int> metricsPort = new("--metrics-port") { Description = $"Port of the Prometheus endpoint on 127.0.0.1 (default {MetricsPortChoice.DefaultPort}; 0 = any free port).", DefaultValueFactory = _ => MetricsPortChoice.DefaultPort };
    private readonly Option<bool> noMetrics = new("--no-metrics") { Description = "Do not serve Prometheus metrics." };
    private readonly Option<int?> linger = new("--linger") { Description = "Keep serving metrics after training: for SECONDS, or until Ctrl+C when no value is given.", Arity = ArgumentArity.ZeroOrOne, HelpName = "SECONDS" };
    private readonly Option<double?> pace = new("--pace") { Description = $"Train in real time at this many optimizer steps per second, so dashboards can follow (watch: {WatchScenario.DefaultPace:0}; others: 0 = as fast as possible).", HelpName = "STEPS_PER_SECOND" };
    private readonly Option<int?> stepDelay = new("--step-delay") { Description = "Pause after each step in the live view, in milliseconds (default 5; plain output: 0).", HelpName = "MS" };

    public DemoCommandLine()
    {
        scenario.AcceptOnlyFromAmong(ScenarioCatalog.Names.ToArray());
        epochs.Validators.Add(r => RequireAtLeast(r, 1, "--epochs", "a number of epochs"));
        steps.Validators.Add(r => RequireAtLeast(r, 1, "--steps", "a number of steps"));
        linger.Validators.Add(r => RequireAtLeast(r, 0, "--linger", "a number of seconds"));
        stepDelay.Validators.Add(r => RequireAtLeast(r, 0, "--step-delay", "a number of milliseconds"));
        pace.Validators.Add(r =>
        {
            if (!r.Implicit && r.Tokens.Count > 0 && double.TryParse(r.Tokens[0].Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) && !(value >= 0 && value <= 1000))
            {
                r.AddError($"--pace must be a number of steps per second between 0 and 1000, was {r.Tokens[0].Value}.");
            }
        });
        metricsPort.Validators.Add(r =>
        {
            if (Given(r) is { } port && port is < 0 or > 65535)
            {
                r.AddError($"--metrics-port must be between 0 and 65535, was {port}.");
            }
        });
        Root = new RootCommand("GradientWatch demo: trains small networks that explode, vanish or hit NaN, and shows GradientWatch finding and fixing it.")
        {
            scenario, seed, epochs, steps, output, noLive, metricsPort, noMetrics, linger, stepDelay, pace,
        };
        Root.Validators.Add(r =>
        {
            if (r.GetResult(epochs) is { Implicit: false } && r.GetResult(steps) is { Implicit: false })
            {
                r.AddError("Use either --epochs or --steps, not both.");
            }
        });
    }

    /// <summary>The root command, with the options above.</summary>
    public RootCommand Root { get; }

    /// <summary>Parses <paramref name="args"/>.</summary>
    public ParseResult Parse(string[] args) => Root.Parse(args);

    /// <summary>Reads the settings from a parse result without errors.</summary>
    public DemoSettings Read(ParseResult result)
    {
        var lingerResult = result.GetResult(linger);
        TimeSpan? lingerFor = lingerResult is null or { Implicit: true }
            ? null
            : result.GetValue(linger) is { } seconds ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan;
        return new DemoSettings
        {
            Scenario = result.GetValue(scenario) ?? ScenarioCatalog.All,
            Seed = result.GetValue(seed),
            Epochs = result.GetValue(epochs),
            Steps = result.GetValue(steps),
            Output = result.GetValue(output) ?? DemoSettings.DefaultOutput,
            NoLive = result.GetValue(noLive),
            NoMetrics = result.GetValue(noMetrics),
            MetricsPort = result.GetValue(metricsPort),
            MetricsPortExplicit = result.GetResult(metricsPort) is { Implicit: false },
            Linger = lingerFor,
            StepDelayMs = result.GetValue(stepDelay),
            Pace = result.GetValue(pace),
        };
    }

    /// <summary>The integer the user typed, or null when none was given or it is not a number (the parser reports that itself).</summary>
    private static int? Given(OptionResult r)
        => !r.Implicit && r.Tokens.Count > 0 && int.TryParse(r.Tokens[0].Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : null;

    private static void RequireAtLeast(OptionResult r, int minimum, string name, string what)
    {
        if (Given(r) is { } value && value < minimum)
        {
            r.AddError($"{name} must be {what} of at least {minimum}, was {value}.");
        }
    }
}
