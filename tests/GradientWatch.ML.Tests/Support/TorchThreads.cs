using System.Runtime.CompilerServices;

namespace GradientWatch.ML.Tests.Support;

/// <summary>The test machine has two cores shared with the test runner: one TorchSharp thread keeps tiny models fast and timings steady.</summary>
internal static class TorchThreads
{
    [ModuleInitializer]
    internal static void UseOneThread() => TorchSharp.torch.set_num_threads(1);
}
