using System.Diagnostics;
using System.Text;

namespace GradientWatch.Packaging.Tests.Support;

/// <summary>
/// Runs the .NET CLI (or an app through it) in a consumer folder, isolated from the environment of this test run:
/// no MSBuild variables from the test host, no MSBuild node reuse and no compiler server (so nothing outlives the
/// command), the consumer's own package folder. A command past its time limit is killed with its process tree.
/// </summary>
internal sealed class DotnetProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly object gate = new();

    private DotnetProcess(Process process) => this.process = process;

    public static string DotnetPath => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public string Output
    {
        get
        {
            lock (gate)
            {
                return output.ToString();
            }
        }
    }

    public int Id => process.Id;

    /// <summary>Runs to completion; returns the exit code and the combined output.</summary>
    public static (int ExitCode, string Output) Run(string workingDirectory, string packagesFolder, TimeSpan timeout, params string[] arguments)
    {
        using var run = Start(workingDirectory, packagesFolder, redirectInput: false, arguments);
        if (!run.process.WaitForExit(timeout))
        {
            run.Kill();
            throw new TimeoutException($"`dotnet {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds:F0} s:\n{run.Output}");
        }

        run.process.WaitForExit();
        return (run.process.ExitCode, run.Output);
    }

    public static DotnetProcess Start(string workingDirectory, string packagesFolder, bool redirectInput, params string[] arguments)
    {
        var info = new ProcessStartInfo(DotnetPath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("NUGET_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || key.Equals("DOTNET_ROLL_FORWARD", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(key);
            }
        }

        info.Environment["NUGET_PACKAGES"] = packagesFolder;
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["UseSharedCompilation"] = "false";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var process = new Process { StartInfo = info };
        var run = new DotnetProcess(process);
        process.OutputDataReceived += (_, e) => run.Append(e.Data);
        process.ErrorDataReceived += (_, e) => run.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits until a line containing <paramref name="marker"/> was printed; returns that line.</summary>
    public string WaitForLine(string marker, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            string? line = Output.Split('\n').FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
            if (line is not null)
            {
                return line.Trim();
            }

            if (process.HasExited)
            {
                process.WaitForExit();
                throw new InvalidOperationException($"The process exited with {process.ExitCode} before printing '{marker}':\n{Output}");
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"No '{marker}' within {timeout.TotalSeconds:F0} s:\n{Output}");
    }

    public void WriteLine(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"The process did not exit within {timeout.TotalSeconds:F0} s:\n{Output}");
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            output.AppendLine(line);
        }
    }
}
