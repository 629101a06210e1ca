using System.Globalization;

namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>
/// The monitoring stack with the repository's own 5 s scrape and evaluation intervals, and the demo as the workload:
/// its <c>watch</c> scenario paced in real time (scraped from the start), and its <c>exploding</c> scenario, listed
/// for scraping only once it finished training, so all of its exploding events come before its first scrape.
/// </summary>
public sealed class DemoStack : MonitoringStack
{
    public const string Watch = "watch";
    public const string Exploding = "exploding";

    /// <summary>Steps and pace of the watch run: 60 s of training (its phases scale with the steps).</summary>
    public const int WatchSteps = 240;
    public const int WatchPace = 4;

    private readonly Task addExplodingTarget;

    public DemoStack()
        : base(TimeSpan.FromSeconds(5))
    {
        try
        {
            string demo = Repo.DemoDll;
            Assert.True(File.Exists(demo), $"The demo {demo} is not built; build the solution first.");
            int watchPort = Tools.FreePort(), explodingPort = Tools.FreePort();
            AddTargets(Watch, [watchPort]);
            LaunchDemo(Watch, watchPort, "--steps", WatchSteps.ToString(CultureInfo.InvariantCulture), "--pace", WatchPace.ToString(CultureInfo.InvariantCulture));
            LaunchDemo(Exploding, explodingPort);
            WaitUntilReady();

            // Prometheus learns of the exploding run only after it trained: every event precedes its first scrape.
            addExplodingTarget = Task.Run(async () =>
            {
                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (DateTime.UtcNow < deadline && !ExplodingTrained)
                {
                    await Task.Delay(200);
                }

                if (ExplodingTrained)
                {
                    ExplodingTargetAddedAt = DateTimeOffset.UtcNow;
                    AddTargets(Exploding, [explodingPort]);
                }
            });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>True once the exploding demo finished training and lingers, serving its metrics.</summary>
    public bool ExplodingTrained => LogOf(Exploding).Any(l => l.Contains("Serving metrics at", StringComparison.Ordinal));

    /// <summary>When the exploding run was listed for scraping.</summary>
    public DateTimeOffset? ExplodingTargetAddedAt { get; private set; }

    private void LaunchDemo(string scenario, int port, params string[] more) => Launch(scenario, "dotnet",
    [
        Repo.DemoDll, scenario, "--no-live", "--metrics-port", port.ToString(CultureInfo.InvariantCulture), "--linger", "240",
        "-o", Path.Combine(Directory, scenario + "-out"), .. more,
    ]);
}
