using GradientWatch.Tests.Remedies;

namespace GradientWatch.Tests.Lifecycle;

/// <summary>Disposing a watcher releases everything, whatever the retention period of its metric series.</summary>
public sealed class DisposeTests
{
    public static TheoryData<TimeSpan> Retentions() => new()
    {
        TimeSpan.Zero,
        TimeSpan.FromMinutes(5),
        TimeSpan.FromDays(49),
        TimeSpan.FromDays(50),
        TimeSpan.FromDays(3650),
        TimeSpan.MaxValue,
        Timeout.InfiniteTimeSpan,
    };

    [Theory]
    [MemberData(nameof(Retentions))]
    public void AnyValidRetentionDisposesCleanlyAndClosesTheEventFile(TimeSpan retention)
    {
        string file = Path.Combine(Path.GetTempPath(), $"gw-dispose-{Guid.NewGuid():N}.jsonl");
        try
        {
            using var fixture = new RemedyArithmeticTests.ManualModel();
            var watch = fixture.Watch(w => w.Configure(o => o.MetricsRetentionAfterDispose = retention).ClipGlobalNorm(1.0).WriteEventsTo(file));
            fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 4, 0 });
            watch.Step();
            Assert.Equal(1, OpenHandles(file));

            watch.Dispose();
            Assert.Equal(0, OpenHandles(file));
            Assert.Single(File.ReadAllLines(file));
            Assert.Throws<ObjectDisposedException>(() => watch.Step());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>How many of this process's file descriptors point at <paramref name="path"/> (Linux).</summary>
    private static int OpenHandles(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) ? 1 : 0;
        }

        string full = Path.GetFullPath(path);
        int n = 0;
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == full)
                {
                    n++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return n;
    }
}
