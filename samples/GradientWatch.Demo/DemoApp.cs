using System.CommandLine;
using GradientWatch.Demo.Cli;
using GradientWatch.Demo.Live;
using GradientWatch.Demo.Metrics;
using GradientWatch.Demo.Reporting;
using GradientWatch.Demo.Scenarios;
using Spectre.Console;

namespace GradientWatch.Demo;

/// <summary>
/// The demo's entry point, testable in-process: parses the command line, runs the chosen scenarios under a live
/// or plain progress view, writes the outputs, prints the diagnosis, and serves metrics. Returns the exit code:
/// 0 on success, 1 when something the user can fix went wrong (message printed, no stack trace), 2 for bad arguments.
/// </summary>
internal sealed class DemoApp
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private readonly IAnsiConsole console;
    private readonly DemoEnvironment environment;

    public DemoApp(IAnsiConsole console, DemoEnvironment environment)
    {
        this.console = console;
        this.environment = environment;
    }

    /// <summary>Runs the demo with <paramref name="args"/>.</summary>
    public int Run(string[] args, CancellationToken cancellation = default)
    {
        try
        {
            return RunCore(args, cancellation);
        }
        catch (Exception ex)
        {
            console.MarkupLine($"[red]error:[/] the demo failed: {Markup.Escape(ex.GetType().Name)}: {Markup.Escape(ex.Message)}");
            return Failed;
        }
    }

    private int RunCore(string[] args, CancellationToken cancellation)
    {
        var commandLine = new DemoCommandLine();
        var parsed = commandLine.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(error.Message)}");
            }

            console.MarkupLine("Run with [bold]--help[/] to see the usage.");
            return Usage;
        }

        DemoSettings? settings = null;
        commandLine.Root.SetAction(result =>
        {
            settings = commandLine.Read(result);
            return Ok;
        });
        var text = new StringWriter();
        int code = parsed.Invoke(new InvocationConfiguration { Output = text, Error = text, EnableDefaultExceptionHandler = false });
        if (text.GetStringBuilder().Length > 0)
        {
            console.Write(new Text(text.ToString()));
        }

        if (settings is null)
        {
            return code;
        }

        try
        {
            return Execute(settings, cancellation);
        }
        catch (DemoException ex)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]stopped.[/]");
            return Failed;
        }
        catch (Exception ex)
        {
            console.MarkupLine($"[red]error:[/] the demo failed: {Markup.Escape(ex.GetType().Name)}: {Markup.Escape(ex.Message)}");
            return Failed;
        }
    }

    private int Execute(DemoSettings settings, CancellationToken cancellation)
    {
        var scenarios = ScenarioCatalog.Select(settings.Scenario);
        string output = OutputFolder.Prepare(settings.Output);
        using var metrics = StartMetrics(settings);
        bool live = !settings.NoLive && environment.IsTerminal && console.Profile.Capabilities.Interactive;
        var delay = TimeSpan.FromMilliseconds(settings.StepDelayMs ?? (live ? 10 : 0));
        PrintHeader(scenarios, output, metrics, live);
        var parameters = new ScenarioParameters { Seed = settings.Seed, Epochs = settings.Epochs, Steps = settings.Steps, StepsPerSecond = settings.Pace };
        var runner = new ScenarioRunner(environment.Trainer, metrics);
        var outcomes = new List<ScenarioOutcome>();
        foreach (var scenario in scenarios)
        {
            cancellation.ThrowIfCancellationRequested();
            console.WriteLine();
            console.Write(new Rule($"[bold]{Markup.Escape(scenario.Title)}[/]").LeftJustified());
            console.WriteLine(scenario.Description);
            IProgressView view = live ? new LiveProgressView(console, scenario.Title, delay) : new PlainProgressView(console);
            var outcome = runner.Run(scenario, parameters, output, view, cancellation);
            DiagnosisPrinter.Print(console, outcome);
            outcomes.Add(outcome);
        }

        IndexPageWriter.Write(output, outcomes);
        console.WriteLine();
        console.MarkupLine($"[bold]Done.[/] Reports, plots, events and per-step statistics are in [bold]{Markup.Escape(output)}[/]; open [bold]{Markup.Escape(Path.Combine(output, IndexPageWriter.FileName))}[/].");
        Linger(settings, metrics, cancellation);
        return Ok;
    }

    private IMetricsServer StartMetrics(DemoSettings settings)
    {
        if (settings.NoMetrics)
        {
            return MetricsServers.Off();
        }

        var choice = MetricsPortChoice.Choose(settings.MetricsPort, settings.MetricsPortExplicit);
        if (choice.Warning is { } warning)
        {
            console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        }

        // With --linger, every run's series stay until the process exits, so Prometheus can scrape them after training.
        return environment.StartMetrics(choice.Port, settings.Linger is null ? TimeSpan.Zero : Timeout.InfiniteTimeSpan);
    }

    private void PrintHeader(IReadOnlyList<IDemoScenario> scenarios, string output, IMetricsServer metrics, bool live)
    {
        console.MarkupLine($"[bold]GradientWatch demo[/] · scenarios: {Markup.Escape(string.Join(", ", scenarios.Select(s => s.Name)))} · trained with: {Markup.Escape(environment.Trainer.Description)}");
        console.MarkupLine($"output: {Markup.Escape(output)}");
        console.MarkupLine(metrics.Url is { } url
            ? $"metrics: Prometheus endpoint at [bold]{Markup.Escape(url)}[/] while the demo runs"
            : $"metrics: not served ({Markup.Escape(metrics.Unavailable ?? "unavailable")})");
        if (!live)
        {
            console.MarkupLine("[grey](plain progress lines: output is not a terminal, or --no-live)[/]");
        }
    }

    private void Linger(DemoSettings settings, IMetricsServer metrics, CancellationToken cancellation)
    {
        if (settings.Linger is not { } linger || linger == TimeSpan.Zero)
        {
            return;
        }

        if (metrics.Url is null)
        {
            console.MarkupLine($"[yellow]warning:[/] --linger has nothing to keep up: metrics are not served ({Markup.Escape(metrics.Unavailable ?? "unavailable")}).");
            return;
        }

        console.MarkupLine(linger == Timeout.InfiniteTimeSpan
            ? $"Serving metrics at [bold]{Markup.Escape(metrics.Url)}[/] until Ctrl+C. Point Prometheus at it (see dashboards/)."
            : $"Serving metrics at [bold]{Markup.Escape(metrics.Url)}[/] for {linger.TotalSeconds:0} more seconds (Ctrl+C stops).");
        cancellation.WaitHandle.WaitOne(linger);
    }
}
