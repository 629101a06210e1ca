using System.Diagnostics;
using GradientWatch.Demo.Training;
using Spectre.Console;

namespace GradientWatch.Demo.Live;

/// <summary>A live terminal view (Spectre.Console <c>Live</c>), redrawn at most every 80 ms and on every event, with an optional pause per step so people can watch.</summary>
internal sealed class LiveProgressView : IProgressView
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(80);
    private readonly IAnsiConsole console;
    private readonly ProgressState state;
    private readonly TimeSpan stepDelay;
    private readonly Stopwatch sinceRefresh = Stopwatch.StartNew();
    private LiveDisplayContext? context;
    private bool eventPending;

    public LiveProgressView(IAnsiConsole console, string scenarioTitle, TimeSpan stepDelay)
    {
        this.console = console;
        this.stepDelay = stepDelay;
        state = new ProgressState(scenarioTitle);
    }

    public T Show<T>(Func<T> work)
    {
        return console.Live(ProgressRenderer.Render(state)).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Start(ctx =>
        {
            context = ctx;
            try
            {
                return work();
            }
            finally
            {
                Refresh();
                context = null;
            }
        });
    }

    public void RunStarted(TrainingSpec spec)
    {
        state.Start(spec);
        Refresh();
    }

    public void StepCompleted(TrainingSpec spec, StepSnapshot snapshot, int epoch)
    {
        state.Step(snapshot, epoch);
        if (eventPending || sinceRefresh.Elapsed >= RefreshInterval || snapshot.Step == spec.TotalSteps)
        {
            Refresh();
        }

        if (stepDelay > TimeSpan.Zero)
        {
            Thread.Sleep(stepDelay);
        }
    }

    public void EventRaised(TrainingSpec spec, GradientEvent gradientEvent)
    {
        state.Event(gradientEvent);
        eventPending = true;
    }

    public void RunFinished(DemoRun run) => Refresh();

    private void Refresh()
    {
        eventPending = false;
        sinceRefresh.Restart();
        if (context is { } ctx)
        {
            ctx.UpdateTarget(ProgressRenderer.Render(state));
        }
    }
}
