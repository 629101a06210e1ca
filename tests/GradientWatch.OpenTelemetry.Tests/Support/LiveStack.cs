namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// The monitoring stack (<see cref="MonitoringStack"/>, 1 s intervals) scraping three real training processes
/// (two healthy runs, one exploding), each serving its metrics.
/// </summary>
public sealed class LiveStack : MonitoringStack
{
    public const string RunA = "run-a";
    public const string RunB = "run-b";
    public const string RunExploding = "run-x";

    public LiveStack()
        : base(TimeSpan.FromSeconds(1))
    {
        try
        {
            string trainer = Repo.MetricsDemoDll;
            Assert.True(File.Exists(trainer), $"The training program {trainer} is not built; build the solution first.");
            int[] trainerPorts = [Tools.FreePort(), Tools.FreePort(), Tools.FreePort()];
            AddTargets("live", trainerPorts);
            (string Run, string Mode)[] runs = [(RunA, "normal"), (RunB, "normal"), (RunExploding, "exploding")];
            for (int i = 0; i < runs.Length; i++)
            {
                Launch(runs[i].Run, "dotnet",
                [
                    trainer, "--port", trainerPorts[i].ToString(System.Globalization.CultureInfo.InvariantCulture), "--run-id", runs[i].Run,
                    "--mode", runs[i].Mode, "--seconds", "300", "--steps-per-second", "10", "--seed", (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ]);
            }

            WaitUntilReady();
        }
        catch
        {
            Dispose();
            throw;
        }
    }
}
