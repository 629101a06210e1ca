using System.Diagnostics;
using System.Reflection;
using GradientWatch.Tests.Remedies;
using Microsoft.Extensions.Logging;

namespace GradientWatch.Tests.Events;

public sealed class EventSinkTests
{
    [Fact]
    public void EveryEventReachesObserversCallbacksHistoryLoggerAndFile()
    {
        string file = Path.Combine(Path.GetTempPath(), $"gw-events-{Guid.NewGuid():N}.jsonl");
        var logger = new CapturingLoggerFactory();
        var fromCallback = new List<GradientEvent>();
        var fromObserver = new List<GradientEvent>();
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using (var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0).WriteEventsTo(file).UseLoggerFactory(logger).OnEvent(fromCallback.Add)))
        {
            using var subscription = watch.Events.Subscribe(new ListObserver(fromObserver));
            for (int i = 0; i < 3; i++)
            {
                fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 4, 0 });
                watch.Step();
            }

            Assert.Equal(3, watch.History.Count);
            Assert.Equal(Path.GetFullPath(file), watch.EventFilePath);
        }

        Assert.Equal(3, fromCallback.Count);
        Assert.Equal(fromCallback, fromObserver);
        var lines = File.ReadAllLines(file);
        Assert.Equal(3, lines.Length);
        var parsed = lines.Select(GradientEvent.ParseJson).ToList();
        Assert.Equal(new long[] { 1, 2, 3 }, parsed.Select(e => e.Step));
        Assert.All(parsed, e => Assert.Equal("clip_global_norm", e.Remedy));
        Assert.Contains("\"remedy\":\"clip_global_norm\"", lines[0]);
        Assert.Contains("\"type\":\"remedy\"", lines[0]);
        Assert.Equal(3, logger.Messages.Count(m => m.Contains("clip_global_norm")));
        File.Delete(file);
    }

    [Fact]
    public void EventJsonRoundTripsEveryField()
    {
        var e = new GradientEvent
        {
            Type = GradientEventType.Issue,
            Step = 42,
            Time = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero),
            RunId = "run",
            Model = "mlp",
            Kind = GradientIssueKind.NonFinite,
            Trigger = "gradient",
            Severity = GradientEventSeverity.Error,
            Layers = new[] { "encoder.0", "head" },
            ObservedValue = double.NaN,
            Threshold = 0,
            RemediesTaken = new[] { "skip_step" },
            Advice = "lower the learning rate",
            Message = "non-finite",
            Details = new Dictionary<string, double> { ["nan_count"] = 3 },
        };
        var back = GradientEvent.ParseJson(e.ToJson());
        Assert.Equal(e.Step, back.Step);
        Assert.Equal(e.Kind, back.Kind);
        Assert.Equal(e.Layers, back.Layers);
        Assert.Equal(e.RemediesTaken, back.RemediesTaken);
        Assert.True(double.IsNaN(back.ObservedValue!.Value));
        Assert.Equal(3, back.Details["nan_count"]);
        Assert.Equal(e.Time, back.Time);
        Assert.Contains("\"kind\":\"non_finite\"", e.ToJson());
    }

    [Fact]
    public void HistoryIsBoundedAndFailingSubscribersNeverStopTraining()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using var watch = fixture.Watch(w => w.Configure(o => o.EventHistoryCapacity = 4).ClipGlobalNorm(1.0).OnEvent(_ => throw new InvalidOperationException("boom")));
        using var subscription = watch.Events.Subscribe(new ThrowingObserver());
        for (int i = 0; i < 10; i++)
        {
            fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 4, 0 });
            watch.Step();
        }

        Assert.Equal(new long[] { 7, 8, 9, 10 }, watch.History.Select(e => e.Step));
        Assert.Equal(10, watch.GetSummary().RemedyCounts["clip_global_norm"]);
    }

    [Fact]
    public void UnwritableEventFileIsLoggedAndTrainingContinues()
    {
        var logger = new CapturingLoggerFactory();
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0).UseLoggerFactory(logger).WriteEventsTo("/proc/gradientwatch-cannot-write-here/events.jsonl"));
        fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 4, 0 });
        watch.Step();
        Assert.Single(watch.History);
        Assert.Contains(logger.Messages, m => m.Contains("cannot open the event file"));
    }

    [Fact]
    public async Task EventFileSurvivesTheProcessBeingKilledMidRun()
    {
        string writer = typeof(EventSinkTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EventWriterPath").Value!;
        Assert.True(File.Exists(writer), $"child program not built: {writer}");
        string file = Path.Combine(Path.GetTempPath(), $"gw-kill-{Guid.NewGuid():N}.jsonl");
        var psi = new ProcessStartInfo("dotnet", new[] { writer, file }) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var child = Process.Start(psi)!;
        long lastEmitted = 0;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (lastEmitted < 40 && DateTime.UtcNow < deadline)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                string? line = await child.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    break;
                }

                if (line.StartsWith("EMITTED ", StringComparison.Ordinal))
                {
                    lastEmitted = long.Parse(line["EMITTED ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit(10_000);
        }

        Assert.True(lastEmitted >= 40, $"child emitted only {lastEmitted} events; stderr: {await child.StandardError.ReadToEndAsync()}");
        Assert.NotEqual(0, child.ExitCode);
        var lines = File.ReadAllLines(file);
        Assert.True(lines.Length >= lastEmitted, $"file has {lines.Length} lines, child reported {lastEmitted} emitted");
        var events = lines.Select(GradientEvent.ParseJson).ToList();
        Assert.All(events, e => Assert.NotNull(e.Message));
        Assert.Contains(events, e => e.Kind == GradientIssueKind.NonFinite && e.Type == GradientEventType.Issue);
        Assert.Contains(events, e => e.Remedy == "skip_step");
        File.Delete(file);
    }

    private sealed class ListObserver(List<GradientEvent> list) : IObserver<GradientEvent>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(GradientEvent value) => list.Add(value);
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

    /// <summary>A minimal logger factory that keeps formatted messages.</summary>
    internal sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        public List<string> Messages { get; } = new();

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
