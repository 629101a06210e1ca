using System.Collections.Concurrent;
using System.Diagnostics;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// Processes a live test started (Prometheus, VictoriaMetrics, training programs...), with the tail of each one's
/// output for failure messages. <see cref="Dispose"/> stops every one of them by its PID.
/// </summary>
public sealed class ProcessGroup(string workingDirectory) : IDisposable
{
    private readonly List<(string Name, Process Process, ConcurrentQueue<string> Log, bool MayExit)> processes = new();

    /// <summary>The last lines of every process's output, for assertion messages.</summary>
    public string Logs => string.Join("\n", processes.Select(p => $"--- {p.Name} (exited: {p.Process.HasExited})\n" + string.Join("\n", p.Log.TakeLast(30))));

    /// <summary>Starts a process; unless <paramref name="mayExit"/>, its exit fails <see cref="WaitUntil"/>.</summary>
    public void Launch(string name, string file, IEnumerable<string> args, bool mayExit = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var log = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = psi };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            log.Enqueue(e.Data);
            while (log.Count > 200 && log.TryDequeue(out string? _))
            {
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        processes.Add((name, process, log, mayExit));
    }

    /// <summary>The output lines of the named process kept so far (the last 200).</summary>
    public IReadOnlyCollection<string> LogOf(string name) => processes.Single(p => p.Name == name).Log.ToArray();

    /// <summary>Whether the named process has exited.</summary>
    public bool HasExited(string name) => processes.Single(p => p.Name == name).Process.HasExited;

    /// <summary>Polls <paramref name="condition"/> every 0.5 s; fails when a process that must keep running exits, or on timeout.</summary>
    public void WaitUntil(TimeSpan timeout, string what, Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            foreach (var p in processes.Where(p => !p.MayExit))
            {
                Assert.False(p.Process.HasExited, $"{p.Name} exited with code {(p.Process.HasExited ? p.Process.ExitCode : 0)} while waiting for {what}.\n{Logs}");
            }

            if (condition())
            {
                return;
            }

            Assert.True(deadline.Elapsed < timeout, $"Timed out after {timeout.TotalSeconds} s waiting for {what}.\n{Logs}");
            Thread.Sleep(500);
        }
    }

    public void Dispose()
    {
        foreach (var (_, process, _, _) in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.WaitForExit(10_000);
            }
            catch (Exception)
            {
                // Already gone.
            }

            process.Dispose();
        }
    }
}
