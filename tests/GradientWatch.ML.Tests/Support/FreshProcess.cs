using System.Diagnostics;

namespace GradientWatch.ML.Tests.Support;

/// <summary>Runs this test assembly as a new process (see <see cref="Program"/>) and returns what it wrote.</summary>
public static class FreshProcess
{
    public static string Predict(string task, string modelPath)
    {
        string output = Path.Combine(Path.GetTempPath(), $"gw-predict-{Guid.NewGuid():N}.txt");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(host, new[] { "exec", typeof(Program).Assembly.Location, "predict", task, modelPath, output })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + host);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("the fresh process did not finish within 120 s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"the fresh process exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
            }

            return File.ReadAllText(output);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
