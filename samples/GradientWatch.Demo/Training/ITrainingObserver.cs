namespace GradientWatch.Demo.Training;

/// <summary>Receives a run's progress while it trains: used by the live view and the plain progress lines.</summary>
internal interface ITrainingObserver
{
    /// <summary>A run is about to start.</summary>
    void RunStarted(TrainingSpec spec);

    /// <summary>One step was measured (and taken or skipped).</summary>
    void StepCompleted(TrainingSpec spec, StepSnapshot snapshot, int epoch);

    /// <summary>GradientWatch raised an issue or remedy event.</summary>
    void EventRaised(TrainingSpec spec, GradientEvent gradientEvent);

    /// <summary>The run finished.</summary>
    void RunFinished(DemoRun run);
}
