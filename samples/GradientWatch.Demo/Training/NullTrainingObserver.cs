namespace GradientWatch.Demo.Training;

/// <summary>Ignores progress.</summary>
internal sealed class NullTrainingObserver : ITrainingObserver
{
    public static NullTrainingObserver Instance { get; } = new();

    public void RunStarted(TrainingSpec spec)
    {
    }

    public void StepCompleted(TrainingSpec spec, StepSnapshot snapshot, int epoch)
    {
    }

    public void EventRaised(TrainingSpec spec, GradientEvent gradientEvent)
    {
    }

    public void RunFinished(DemoRun run)
    {
    }
}
