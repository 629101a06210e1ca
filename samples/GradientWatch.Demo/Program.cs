using GradientWatch.Demo;
using Spectre.Console;

// gradientwatch-demo [scenario] [options]: see DemoCommandLine, or run with --help.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

if (Console.IsOutputRedirected)
{
    // Plain lines going to a file or a pipe: do not wrap them at 80 columns.
    AnsiConsole.Profile.Width = 200;
}

return new DemoApp(AnsiConsole.Console, DemoEnvironment.Current()).Run(args, cancellation.Token);
