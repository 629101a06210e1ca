using GradientWatch.Demo.Metrics;

namespace GradientWatch.Demo.Training;

/// <summary>Trains one <see cref="TrainingSpec"/> with GradientWatch on and records what happened.</summary>
internal interface IDemoTrainer
{
    /// <summary>How runs are trained, for the report (for example <c>ML.NET pipeline</c>).</summary>
    string Description { get; }

    /// <summary>Trains <paramref name="spec"/>, writing its events to <paramref name="eventFilePath"/> when set.</summary>
    DemoRun Train(TrainingSpec spec, ITrainingObserver observer, string? eventFilePath, IMetricsAttachment metrics);
}
