using System.Diagnostics;
using System.Globalization;

namespace GradientWatch.LoadTest;

/// <summary>A backend process (VictoriaMetrics, Prometheus, vmalert) this load test started; stopped by its PID.</summary>
internal sealed class BackendProcess : IDisposable
{
    private static readonly double TicksPerSecond = 100; // Linux USER_HZ
    private readonly Process process;
    private readonly StreamWriter log;

    public BackendProcess(string name, string file, IEnumerable<string> args, string logDir)
    {
        Name = name;
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        log = new StreamWriter(Path.Combine(logDir, name + ".log")) { AutoFlush = true };
        process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public bool HasExited => process.HasExited;

    /// <summary>User + system CPU seconds the process has used so far (/proc/PID/stat).</summary>
    public double CpuSeconds()
    {
        string stat = File.ReadAllText($"/proc/{process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>Resident memory in MiB (/proc/PID/status VmRSS).</summary>
    public double RssMiB()
    {
        string line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    public void Dispose()
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
        lock (log)
        {
            log.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the process was stopped.
            }
        }
    }
}
