using System.Text;
using Microsoft.Extensions.Logging;

namespace GradientWatch.Events;

/// <summary>
/// Append-only JSON Lines event file. Each event is written as one line and flushed to the operating
/// system immediately, so killing the process loses nothing already emitted.
/// </summary>
internal sealed class EventFileSink : IDisposable
{
    private readonly object gate = new();
    private readonly ILogger logger;
    private FileStream? stream;

    public EventFileSink(string path, ILogger logger)
    {
        this.logger = logger;
        Path = System.IO.Path.GetFullPath(path);
        try
        {
            var directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            logger.LogWarning(ex, "GradientWatch: cannot open the event file {Path}; events will not be written to it", Path);
        }
    }

    public string Path { get; }

    public void Write(GradientEvent e)
    {
        lock (gate)
        {
            if (stream is null)
            {
                return;
            }

            try
            {
                var bytes = Encoding.UTF8.GetBytes(e.ToJson() + "\n");
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                logger.LogWarning(ex, "GradientWatch: writing the event file {Path} failed; it is closed for the rest of the run", Path);
                stream.Dispose();
                stream = null;
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            stream?.Dispose();
            stream = null;
        }
    }
}
