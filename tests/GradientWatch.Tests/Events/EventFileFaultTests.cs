using System.Diagnostics;
using System.Reflection;
using System.Text;
using GradientWatch.Events;
using GradientWatch.Tests.Remedies;
using Microsoft.Extensions.Logging.Abstractions;
using GradientWatch.Tests.Support;
using static GradientWatch.Tests.Events.EventSinkTests;

namespace GradientWatch.Tests.Events;

/// <summary>
/// Fault injection on the event file: a device that is always full, a file system that fills up, targets that cannot
/// be written, a throwing logger, and several writers sharing one file (in one process and across processes).
/// Training must never stop, and no event may be torn or lost where the file accepts writes.
/// </summary>
public sealed class EventFileFaultTests
{
    private static readonly float[,] BigWeightGradient = { { 3, 0 }, { 0, 0 } };
    private static readonly float[] BigBiasGradient = { 4, 0 };

    [Fact]
    public void DevFullNeverStopsTrainingAndWarnsOncePerMinute()
    {
        var logger = new CapturingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using (var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0).UseLoggerFactory(logger).WriteEventsTo("/dev/full")))
        {
            for (int i = 0; i < 20; i++)
            {
                fixture.SetGradients(BigWeightGradient, BigBiasGradient);
                watch.Step();
            }

            Assert.Equal(20, watch.StepCount);
            Assert.Equal(20, watch.History.Count(e => e.Remedy == "clip_global_norm"));
        }

        var failures = logger.Messages.Where(m => m.Contains("writing the event file /dev/full failed", StringComparison.Ordinal)).ToList();
        Assert.Single(failures);
        Assert.Contains("No space left on device", failures[0], StringComparison.Ordinal);
        Assert.Contains(logger.Messages, m => m.Contains("closing the event file /dev/full with", StringComparison.Ordinal));
    }

    [Fact]
    public void AFileSystemThatFillsUpLeavesOnlyWholeLinesAndTrainingGoesOn()
    {
        // A 64 KiB tmpfs (mounting needs root, as in CI); elsewhere the same run against /dev/full.
        using var target = SmallFileSystem.TryMount();
        string file = target is null ? "/dev/full" : Path.Combine(target.Directory, "events.jsonl");
        var logger = new CapturingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using (var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0).UseLoggerFactory(logger).WriteEventsTo(file)))
        {
            // Each event is a few hundred bytes: far more than 64 KiB in all.
            for (int i = 0; i < 600; i++)
            {
                fixture.SetGradients(BigWeightGradient, BigBiasGradient);
                watch.Step();
            }

            Assert.Equal(600, watch.StepCount);
        }

        Assert.Contains(logger.Messages, m => m.Contains("writing the event file", StringComparison.Ordinal) && m.Contains("failed", StringComparison.Ordinal));
        if (target is null)
        {
            return;
        }

        string text = File.ReadAllText(file);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 10, 599);
        var steps = lines.Select(GradientEvent.ParseJson).Where(e => e.Remedy == "clip_global_norm").Select(e => e.Step).ToList();
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => (long)i), steps);
    }

    [Fact]
    public void ACutShortWriteIsTakenBackOutOfTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gw-torn-{Guid.NewGuid():N}.jsonl");
        try
        {
            var good = Encoding.UTF8.GetBytes("{\"a\":1}\n");
            var next = Encoding.UTF8.GetBytes("{\"b\":2}\n");
            using (var file = AppendOnlyFile.Open(path))
            {
                Assert.Equal(good.Length, file.Append(good));

                // What a write cut short by a full disk leaves behind: the first bytes of the record.
                Assert.Equal(3, file.Append(next.AsSpan(0, 3)));
                Assert.True(file.TryRemoveFragment(next, 3));
                Assert.Equal(good, File.ReadAllBytes(path));

                // Another writer appended after the fragment: it must not be cut away.
                Assert.Equal(3, file.Append(next.AsSpan(0, 3)));
                File.AppendAllText(path, "other\n");
                Assert.False(file.TryRemoveFragment(next, 3));
                Assert.EndsWith("other\n", File.ReadAllText(path), StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HeldBackEventsAreWrittenInOrderOnceTheFileWorksAgain()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"gw-later-{Guid.NewGuid():N}");
        string blocker = dir + "-blocker";
        File.WriteAllText(blocker, "a file where a directory should be");
        string path = Path.Combine(blocker, "events.jsonl");
        var logger = new CapturingLoggerFactory();
        var time = new SteppedTime();
        try
        {
            using var sink = new EventFileSink(path, logger.CreateLogger("t"), time);
            for (int i = 1; i <= 5; i++)
            {
                sink.Write(Event(i));
            }

            Assert.Equal(5, sink.BacklogCount);
            Assert.Single(logger.Messages, m => m.Contains("cannot open the event file", StringComparison.Ordinal));

            File.Delete(blocker);
            time.Advance(TimeSpan.FromSeconds(2));
            sink.Write(Event(6));
            Assert.Equal(0, sink.BacklogCount);
            Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), File.ReadAllLines(path).Select(l => GradientEvent.ParseJson(l).Step));
            Assert.Contains(logger.Messages, m => m.Contains("works again", StringComparison.Ordinal) && m.Contains("6 held-back event(s) written", StringComparison.Ordinal));
        }
        finally
        {
            if (File.Exists(blocker))
            {
                File.Delete(blocker);
            }

            if (Directory.Exists(blocker))
            {
                Directory.Delete(blocker, recursive: true);
            }
        }
    }

    [Fact]
    public void DisposingTriesTheFileOnceMoreBeforeGivingUpOnTheBacklog()
    {
        string blocker = Path.Combine(Path.GetTempPath(), $"gw-dispose-retry-{Guid.NewGuid():N}");
        File.WriteAllText(blocker, "a file where a directory should be");
        string path = Path.Combine(blocker, "events.jsonl");
        try
        {
            using (var sink = new EventFileSink(path, NullLogger.Instance, new SteppedTime()))
            {
                sink.Write(Event(1));
                sink.Write(Event(2));
                Assert.Equal(2, sink.BacklogCount);
                File.Delete(blocker);
            }

            Assert.Equal(new long[] { 1, 2 }, File.ReadAllLines(path).Select(l => GradientEvent.ParseJson(l).Step));
        }
        finally
        {
            if (Directory.Exists(blocker))
            {
                Directory.Delete(blocker, recursive: true);
            }
            else if (File.Exists(blocker))
            {
                File.Delete(blocker);
            }
        }
    }

    [Fact]
    public void TheBacklogIsBoundedAndCountsWhatItDrops()
    {
        var time = new SteppedTime();
        using var sink = new EventFileSink("/dev/full", NullLogger.Instance, time);
        for (int i = 0; i < EventFileSink.MaxBacklog + 25; i++)
        {
            sink.Write(Event(i));
        }

        Assert.Equal(EventFileSink.MaxBacklog, sink.BacklogCount);
        Assert.Equal(25, sink.DroppedCount);
    }

    [Theory]
    [InlineData("/proc/self/status")]
    [InlineData("/sys/kernel/gradientwatch-events.jsonl")]
    [InlineData("/proc/gradientwatch-cannot-write-here/events.jsonl")]
    public void ReadOnlyTargetsNeverStopTraining(string target)
    {
        var logger = new CapturingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using (var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0).UseLoggerFactory(logger).WriteEventsTo(target)))
        {
            for (int i = 0; i < 5; i++)
            {
                fixture.SetGradients(BigWeightGradient, BigBiasGradient);
                watch.Step();
            }

            Assert.Equal(5, watch.History.Count(e => e.Remedy == "clip_global_norm"));
        }

        Assert.Contains(logger.Messages, m => m.StartsWith("Warning", StringComparison.Ordinal) && m.Contains("event file", StringComparison.Ordinal));
    }

    [Fact]
    public void AThrowingLoggerWithAThrowingCallbackAndAFailingFileNeverStopsTraining()
    {
        var logger = new ThrowingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel();
        int callbacks = 0;
        using var watch = fixture.Watch(w => w
            .ClipGlobalNorm(1.0)
            .UseLoggerFactory(logger)
            .WriteEventsTo("/dev/full")
            .OnEvent(_ =>
            {
                callbacks++;
                throw new InvalidOperationException("callback failure");
            }));
        using var subscription = watch.Events.Subscribe(new ThrowingObserver());
        for (int i = 0; i < 5; i++)
        {
            fixture.SetGradients(BigWeightGradient, BigBiasGradient);
            watch.Step();
        }

        Assert.Equal(watch.History.Count, callbacks);
        Assert.Equal(5, watch.History.Count(e => e.Remedy == "clip_global_norm"));
        Assert.True(logger.Calls > 5, $"the logger was called {logger.Calls} times");
    }

    [Fact]
    public void AThrowingLoggerFactoryIsIgnored()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0).UseLoggerFactory(new ThrowingLoggerFactory { ThrowOnCreate = true }));
        fixture.SetGradients(BigWeightGradient, BigBiasGradient);
        watch.Step();
        Assert.Single(watch.History, e => e.Remedy == "clip_global_norm");
    }

    [Fact]
    public void TwoWatchersInOneProcessShareAFileWithoutLosingOrTearingALine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gw-shared-{Guid.NewGuid():N}.jsonl");
        const int stepsEach = 400;
        try
        {
            using var a = new RemedyArithmeticTests.ManualModel();
            using var b = new RemedyArithmeticTests.ManualModel();
            using var watchA = a.Watch(w => w.Configure(o => o.RunId = "writer-a").ClipGlobalNorm(1.0).WriteEventsTo(path));
            using var watchB = b.Watch(w => w.Configure(o => o.RunId = "writer-b").ClipGlobalNorm(1.0).WriteEventsTo(path));
            Parallel.Invoke(
                () => Train(a, watchA),
                () => Train(b, watchB));

            var events = File.ReadAllLines(path).Select(GradientEvent.ParseJson).ToList();
            Assert.Equal(Events(watchA) + Events(watchB), events.Count);
            foreach (var run in new[] { "writer-a", "writer-b" })
            {
                Assert.Equal(Enumerable.Range(1, stepsEach).Select(i => (long)i), events.Where(e => e.RunId == run && e.Remedy == "clip_global_norm").Select(e => e.Step));
            }
        }
        finally
        {
            File.Delete(path);
        }

        static long Events(GradientWatcher watch) => watch.GetSummary().TotalIssues + watch.GetSummary().TotalRemedies;

        static void Train(RemedyArithmeticTests.ManualModel model, GradientWatcher watch)
        {
            for (int i = 0; i < stepsEach; i++)
            {
                model.SetGradients(BigWeightGradient, BigBiasGradient);
                watch.Step();
            }
        }
    }

    [Fact]
    public async Task TwoProcessesShareAFileWithoutLosingOrTearingALine()
    {
        string writer = typeof(EventSinkTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EventWriterPath").Value!;
        string path = Path.Combine(Path.GetTempPath(), $"gw-two-processes-{Guid.NewGuid():N}.jsonl");
        const int steps = 1500;
        var children = new List<Process>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var psi = new ProcessStartInfo("dotnet", new[] { writer, path, steps.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                children.Add(Process.Start(psi)!);
            }

            var outputs = await Task.WhenAll(children.Select(c => c.StandardOutput.ReadToEndAsync()));
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            foreach (var child in children)
            {
                await child.WaitForExitAsync(timeout.Token);
                Assert.True(child.ExitCode == 0, $"writer exited with {child.ExitCode}: {await child.StandardError.ReadToEndAsync()}");
            }

            var emitted = outputs.Select(o => o.Split('\n').Where(l => l.StartsWith("EMITTED ", StringComparison.Ordinal)).Select(l => long.Parse(l["EMITTED ".Length..], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max()).Order().ToList();
            Assert.All(emitted, n => Assert.True(n >= steps, $"a writer emitted only {n} events")); // A NaN every other step: an issue and a skip each.
            var events = File.ReadAllLines(path).Select(GradientEvent.ParseJson).ToList();
            Assert.Equal(emitted.Sum(), events.Count);
            var runs = events.GroupBy(e => e.RunId).ToList();
            Assert.Equal(emitted, runs.Select(r => (long)r.Count()).Order().ToList());
            foreach (var run in runs)
            {
                var runSteps = run.Select(e => e.Step).ToList();
                Assert.True(runSteps.Zip(runSteps.Skip(1)).All(p => p.First <= p.Second), "a writer's events must stay in order");
            }
        }
        finally
        {
            foreach (var child in children)
            {
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true);
                }

                child.Dispose();
            }

            File.Delete(path);
        }
    }

    private static GradientEvent Event(long step) => new()
    {
        Type = GradientEventType.Remedy,
        Step = step,
        Time = DateTimeOffset.UnixEpoch,
        RunId = "run",
        Model = "model",
        Remedy = "clip_global_norm",
        Severity = GradientEventSeverity.Info,
        Message = new string('x', 100),
    };

    /// <summary>A logger whose every call throws (and optionally whose factory does).</summary>
    private sealed class ThrowingLoggerFactory : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILogger
    {
        public bool ThrowOnCreate { get; init; }

        public int Calls { get; private set; }

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
        {
        }

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => ThrowOnCreate ? throw new InvalidOperationException("factory failure") : this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => throw new InvalidOperationException("scope failure");

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Calls++;
            throw new InvalidOperationException("logging provider failure");
        }
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private long ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }

    private sealed class ThrowingObserver : IObserver<GradientEvent>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(GradientEvent value) => throw new InvalidOperationException("observer failure");
    }
}
