using TorchSharp;

namespace GradientWatch.ML.Training;

/// <summary>
/// TorchSharp's default generator is process-wide. Seeding it and creating the module happen under one lock, so that
/// trainers fitted concurrently still initialize their modules deterministically.
/// </summary>
internal static class TorchSeed
{
    private static readonly object Gate = new();

    public static T Run<T>(int seed, Func<T> create)
    {
        lock (Gate)
        {
            torch.manual_seed(seed);
            return create();
        }
    }
}
