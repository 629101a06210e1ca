using System.Text;
using Microsoft.Extensions.Logging;

namespace GradientWatch.Events;

/// <summary>
/// Append-only JSON Lines event file. Each event is serialized to one buffer and handed to the operating system in
/// one write (<see cref="AppendOnlyFile"/>: <c>O_APPEND</c> on Linux and macOS), so a killed process loses nothing
/// already emitted and several writers can share one file without tearing each other's lines.
/// A failing file never stops training: a write that fails (full disk, <c>/dev/full</c>, a file system gone
/// read-only) keeps its event and the ones after it in a bounded in-memory backlog, retries with a growing pause
/// (1 s up to 30 s), and writes the backlog in order once the file accepts writes again. A write cut short is
/// removed from the end of the file when no other writer appended after it, and otherwise the next line starts on a
/// new line, so a torn fragment never swallows a good event. Failures are logged once, then at most once a minute.
/// </summary>
internal sealed class EventFileSink : IDisposable
{
    /// <summary>Most events held back while the file fails; beyond this, newer events are dropped (and counted).</summary>
    internal const int MaxBacklog = 10_000;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly object gate = new();
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Queue<byte[]> backlog = new();
    private AppendOnlyFile? file;
    private bool opened;
    private bool startOnNewLine;
    private long retryAt;
    private TimeSpan retryDelay = FirstRetry;
    private long lastWarning = long.MinValue;
    private long failures;
    private long dropped;
    private bool disposed;
    private Exception? lastError;

    public EventFileSink(string path, ILogger logger)
        : this(path, logger, TimeProvider.System)
    {
    }

    internal EventFileSink(string path, ILogger logger, TimeProvider time)
    {
        this.logger = logger;
        this.time = time;
        Path = System.IO.Path.GetFullPath(path);
        lock (gate)
        {
            TryOpen();
        }
    }

    public string Path { get; }

    /// <summary>Events waiting in memory for the file to accept writes again.</summary>
    internal int BacklogCount
    {
        get
        {
            lock (gate)
            {
                return backlog.Count;
            }
        }
    }

    /// <summary>Events dropped because the backlog was full.</summary>
    internal long DroppedCount => Interlocked.Read(ref dropped);

    public void Write(GradientEvent e)
    {
        byte[] line;
        try
        {
            line = Encoding.UTF8.GetBytes(e.ToJson() + "\n");
        }
        catch (Exception ex)
        {
            Log(LogLevel.Warning, false, ex, "GradientWatch: an event could not be serialized for the event file {Path}; it is left out", Path);
            return;
        }

        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            if (backlog.Count >= MaxBacklog)
            {
                dropped++;
            }
            else
            {
                backlog.Enqueue(line);
            }

            if (time.GetTimestamp() >= retryAt)
            {
                Drain();
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            if (backlog.Count > 0)
            {
                Drain(force: true);
            }

            disposed = true;
            if (backlog.Count > 0 || dropped > 0)
            {
                Log(LogLevel.Warning, true, null, "GradientWatch: closing the event file {Path} with {Held} event(s) never written and {Dropped} dropped", Path, backlog.Count, dropped);
            }

            backlog.Clear();
            try
            {
                file?.Dispose();
            }
            catch (Exception)
            {
                // Closing is best effort; nothing is buffered in the handle.
            }

            file = null;
        }
    }

    /// <summary>Writes the backlog in order, one write per line; stops at the first failure and schedules a retry.</summary>
    private void Drain(bool force = false)
    {
        if (file is null && !TryOpen(force))
        {
            return;
        }

        int written = 0;
        while (backlog.TryPeek(out var line))
        {
            if (!TryAppend(line))
            {
                Failed();
                return;
            }

            backlog.Dequeue();
            written++;
        }

        if (failures > 0)
        {
            Log(LogLevel.Information, true, null, "GradientWatch: writing the event file {Path} works again after {Failures} failed attempt(s); {Written} held-back event(s) written, {Dropped} dropped", Path, failures, written, dropped);
            failures = 0;
            retryDelay = FirstRetry;
            retryAt = 0;
        }
    }

    private bool TryAppend(byte[] line)
    {
        byte[] record = line;
        if (startOnNewLine)
        {
            record = new byte[line.Length + 1];
            record[0] = (byte)'\n';
            line.CopyTo(record, 1);
        }

        int n;
        try
        {
            n = file!.Append(record);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
        {
            lastError = ex;
            return false;
        }

        if (n == record.Length)
        {
            startOnNewLine = false;
            return true;
        }

        // Cut short (full disk): take the fragment back out, or make sure the next line starts on a line of its own.
        lastError = new IOException($"only {n} of {record.Length} bytes could be written");
        if (!file.TryRemoveFragment(record, n))
        {
            startOnNewLine = true;
        }

        return false;
    }

    private void Failed()
    {
        ScheduleRetry();
        Log(LogLevel.Warning, false, lastError, "GradientWatch: writing the event file {Path} failed ({Reason}); training continues, {Held} event(s) are held in memory and retried, {Dropped} dropped so far", Path, lastError?.Message ?? "unknown", backlog.Count, dropped);
    }

    private void ScheduleRetry()
    {
        failures++;
        retryAt = time.GetTimestamp() + (long)(retryDelay.TotalSeconds * time.TimestampFrequency);
        retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, LongestRetry.Ticks));
    }

    private bool TryOpen(bool force = false)
    {
        if (!force && opened && file is null && time.GetTimestamp() < retryAt)
        {
            return false;
        }

        try
        {
            var directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            file = AppendOnlyFile.Open(Path);
            opened = true;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            opened = true;
            ScheduleRetry();
            Log(LogLevel.Warning, false, ex, "GradientWatch: cannot open the event file {Path} ({Reason}); training continues, events are held in memory and the file is retried", Path, ex.Message);
            return false;
        }
    }

    /// <summary>Logs at most once a minute (unless <paramref name="force"/>); a failing logger is ignored.</summary>
    private void Log(LogLevel level, bool force, Exception? ex, string message, params object?[] args)
    {
        long now = time.GetTimestamp();
        if (!force && lastWarning != long.MinValue && now - lastWarning < (long)(WarningInterval.TotalSeconds * time.TimestampFrequency))
        {
            return;
        }

        lastWarning = now;
        try
        {
#pragma warning disable CA2254 // The templates are constants of this class.
            logger.Log(level, ex, message, args);
#pragma warning restore CA2254
        }
        catch (Exception)
        {
            // A failing logger never stops training.
        }
    }
}
