using System.Diagnostics;

namespace GradientWatch.Demo.Training;

/// <summary>
/// Collects a run's snapshots and events through the watcher's <c>OnStep</c>/<c>OnEvent</c> callbacks and forwards
/// them to an observer. The same recorder works for a plain loop and for an ML.NET pipeline, because both take a
/// <see cref="GradientWatchBuilder"/>.
/// </summary>
internal sealed class RunRecorder
{
    private readonly TrainingSpec spec;
    private readonly ITrainingObserver observer;
    private readonly List<StepSnapshot> snapshots = new();
    private readonly List<GradientEvent> events = new();
    private readonly List<double> epochLosses = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private double epochLossSum;
    private int epochLossCount;

    public RunRecorder(TrainingSpec spec, ITrainingObserver observer)
    {
        this.spec = spec;
        this.observer = observer;
    }

    /// <summary>Adds the recording callbacks to <paramref name="builder"/>.</summary>
    public void Attach(GradientWatchBuilder builder)
    {
        builder.OnEvent(Record).OnStep(Record);
    }

    /// <summary>The epoch the next step belongs to.</summary>
    public int CurrentEpoch => (snapshots.Count / Math.Max(1, spec.StepsPerEpoch)) + 1;

    private void Record(GradientEvent gradientEvent)
    {
        events.Add(gradientEvent);
        observer.EventRaised(spec, gradientEvent);
    }

    private void Record(StepSnapshot snapshot)
    {
        int epoch = CurrentEpoch;
        snapshots.Add(snapshot);
        epochLossSum += snapshot.Loss ?? double.NaN;
        epochLossCount++;
        if (snapshots.Count % spec.StepsPerEpoch == 0)
        {
            CloseEpoch();
        }

        observer.StepCompleted(spec, snapshot, epoch);
    }

    private void CloseEpoch()
    {
        if (epochLossCount > 0)
        {
            epochLosses.Add(epochLossSum / epochLossCount);
        }

        epochLossSum = 0;
        epochLossCount = 0;
    }

    /// <summary>Ends the run and returns what was recorded.</summary>
    public DemoRun Finish(GradientWatchSummary? summary)
    {
        CloseEpoch();
        var run = new DemoRun
        {
            Spec = spec,
            Snapshots = snapshots.ToArray(),
            Events = events.ToArray(),
            EpochLosses = epochLosses.ToArray(),
            Summary = summary,
            Elapsed = clock.Elapsed,
        };
        observer.RunFinished(run);
        return run;
    }
}
