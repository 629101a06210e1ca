namespace GradientWatch.ML.Persistence;

/// <summary>Marks the thread of execution that is inside <see cref="GradientWatchCatalog.LoadWithTorchModules(Microsoft.ML.ModelOperationsCatalog, Stream, out Microsoft.ML.DataViewSchema)"/>.</summary>
internal static class TorchModelLoadScope
{
    private static readonly AsyncLocal<bool> Active = new();

    public static bool IsActive => Active.Value;

    public static IDisposable Enter()
    {
        bool previous = Active.Value;
        Active.Value = true;
        return new Exit(previous);
    }

    private sealed class Exit(bool previous) : IDisposable
    {
        public void Dispose() => Active.Value = previous;
    }
}
