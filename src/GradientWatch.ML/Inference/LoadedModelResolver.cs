using System.Runtime.InteropServices;
using GradientWatch.ML.Persistence;

namespace GradientWatch.ML.Inference;

/// <summary>
/// Gives a loaded model's mapping its module: decodes the stored module the first time a row shows it and keeps it,
/// recognizing the same stored text on later rows by the memory that holds it (no copy, no re-decoding per row).
/// </summary>
internal sealed class LoadedModelResolver
{
    private readonly object gate = new();
    private object? owner;
    private int start;
    private int length;
    private string? copy;
    private TorchModuleModel? model;

    public TorchModuleModel Resolve(ReadOnlyMemory<char> stored)
    {
        var (o, s, l) = Identity(stored);
        lock (gate)
        {
            if (model is not null && (o is not null ? ReferenceEquals(o, owner) && s == start && l == length : copy is not null && stored.Span.SequenceEqual(copy)))
            {
                return model;
            }

            model = TorchModuleRestorer.Restore(stored.Span, warning => System.Diagnostics.Trace.TraceWarning(warning));
            (owner, start, length) = (o, s, l);
            copy = o is null ? stored.ToString() : null;
            return model;
        }
    }

    private static (object? Owner, int Start, int Length) Identity(ReadOnlyMemory<char> memory)
    {
        if (MemoryMarshal.TryGetString(memory, out var text, out int s, out int l))
        {
            return (text, s, l);
        }

        if (MemoryMarshal.TryGetArray(memory, out ArraySegment<char> segment))
        {
            return (segment.Array, segment.Offset, segment.Count);
        }

        return (null, 0, memory.Length);
    }
}
