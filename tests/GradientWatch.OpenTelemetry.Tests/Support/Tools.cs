using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>External tools (promtool, prometheus, node...): found on PATH or the test fails saying how to get them.</summary>
internal static class Tools
{
    public static string Require(string name, string howToInstall)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator))
        {
            string candidate = System.IO.Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{name}' is not on PATH. {howToInstall}");
        return null!;
    }

    public static string Promtool => Require("promtool", PrometheusHint);

    public const string PrometheusHint = "Install Prometheus and Alertmanager with: bash scripts/ensure-prometheus.sh (bash scripts/test.sh does it).";

    public const string VictoriaMetricsHint = "Install VictoriaMetrics and vmalert with: bash scripts/ensure-victoria-metrics.sh (bash scripts/test.sh does it).";

    /// <summary>Runs a tool to completion (bounded), returning its exit code and combined output.</summary>
    /// <remarks>
    /// The default bound is generous: these tools finish in seconds, but on a loaded 2-core machine (tests run in
    /// parallel across projects) `promtool test rules` was seen taking over 60 s. The bound only catches a hang.
    /// </remarks>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, string? workingDirectory = null, string? stdin = null, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }

        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {timeoutSeconds} s");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>A TCP port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
