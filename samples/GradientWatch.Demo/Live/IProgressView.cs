using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Live;

/// <summary>Shows training progress: a live terminal view, or plain periodic lines.</summary>
internal interface IProgressView : ITrainingObserver
{
    /// <summary>Runs <paramref name="work"/> (the training) while the view is shown.</summary>
    T Show<T>(Func<T> work);
}
