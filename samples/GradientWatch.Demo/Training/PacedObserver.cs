using System.Diagnostics;

namespace GradientWatch.Demo.Training;

/// <summary>
/// Paces training in real time: after each step it waits until the run has taken no more than
/// <c>stepsPerSecond</c> steps per second since it started, so dashboards can follow it while it trains.
/// Cancellation ends the waiting (the run then finishes at full speed and the demo stops after it).
/// </summary>
internal sealed class PacedObserver : ITrainingObserver
{
    private readonly ITrainingObserver inner;
    private readonly double stepsPerSecond;
    private readonly CancellationToken cancellation;
    private readonly Stopwatch clock = new();
    private long steps;

    public PacedObserver(ITrainingObserver inner, double stepsPerSecond, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepsPerSecond);
        this.inner = inner;
        this.stepsPerSecond = stepsPerSecond;
        this.cancellation = cancellation;
    }

    public void RunStarted(TrainingSpec spec)
    {
        steps = 0;
        clock.Restart();
        inner.RunStarted(spec);
    }

    public void StepCompleted(TrainingSpec spec, StepSnapshot snapshot, int epoch)
    {
        inner.StepCompleted(spec, snapshot, epoch);
        var due = TimeSpan.FromSeconds(++steps / stepsPerSecond) - clock.Elapsed;
        if (due > TimeSpan.Zero)
        {
            cancellation.WaitHandle.WaitOne(due);
        }
    }

    public void EventRaised(TrainingSpec spec, GradientEvent gradientEvent) => inner.EventRaised(spec, gradientEvent);

    public void RunFinished(DemoRun run) => inner.RunFinished(run);
}
