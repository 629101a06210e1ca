using TorchSharp;

namespace GradientWatch.Demo.Training;

/// <summary>Process-wide TorchSharp settings for the demo's small models.</summary>
internal static class TorchSetup
{
    private static int done;

    /// <summary>
    /// One intra-op thread: the demo's models are tiny, and on a 2-core machine LibTorch's thread pool makes each
    /// step 20–40× slower than running it on the calling thread.
    /// </summary>
    public static void ForSmallModels()
    {
        if (Interlocked.Exchange(ref done, 1) == 0)
        {
            torch.set_num_threads(1);
        }
    }
}
