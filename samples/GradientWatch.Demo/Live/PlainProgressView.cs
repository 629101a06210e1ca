using System.Globalization;
using GradientWatch.Demo.Training;
using Spectre.Console;

namespace GradientWatch.Demo.Live;

/// <summary>
/// Plain periodic lines, for output that is not a terminal (or <c>--no-live</c>): about ten progress lines per run,
/// the first few events of each kind, and every learning-rate change and skipped step.
/// </summary>
internal sealed class PlainProgressView : IProgressView
{
    private const int EventsPerKind = 3;
    private readonly IAnsiConsole console;
    private readonly Dictionary<string, int> printed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> suppressed = new(StringComparer.Ordinal);

    public PlainProgressView(IAnsiConsole console) => this.console = console;

    public T Show<T>(Func<T> work) => work();

    public void RunStarted(TrainingSpec spec)
    {
        printed.Clear();
        suppressed.Clear();
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{spec.Name}] {spec.Label}: {spec.ModelDescription}; {spec.TotalSteps} steps ({spec.Epochs} epochs × {spec.StepsPerEpoch} batches)"));
    }

    public void StepCompleted(TrainingSpec spec, StepSnapshot s, int epoch)
    {
        int every = Math.Max(1, spec.TotalSteps / 10);
        if (s.Step % every != 0 && s.Step != 1 && s.Step != spec.TotalSteps)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        string lr = s.LearningRates.Count > 0 ? s.LearningRates[0].ToString("G3", c) : "?";
        console.WriteLine(string.Create(c,
            $"[{spec.Name}] step {s.Step,4}/{spec.TotalSteps}  epoch {epoch,3}/{spec.Epochs}  loss {s.Loss ?? double.NaN,10:G4}  |g| {s.GlobalGradientNorm,10:G3}  lr {lr}"));
    }

    public void EventRaised(TrainingSpec spec, GradientEvent e)
    {
        string key = e.Type == GradientEventType.Issue ? "issue:" + e.Kind : "remedy:" + e.Remedy;
        bool always = e.Remedy is "reduce_lr" or "skip_step" or "halt";
        int count = printed.GetValueOrDefault(key);
        if (!always && count >= EventsPerKind)
        {
            suppressed[key] = suppressed.GetValueOrDefault(key) + 1;
            return;
        }

        printed[key] = count + 1;
        console.WriteLine($"[{spec.Name}] {EventText.Describe(e)}");
    }

    public void RunFinished(DemoRun run)
    {
        if (suppressed.Count > 0)
        {
            console.WriteLine($"[{run.Name}] (further events not shown: {string.Join(", ", suppressed.Select(kv => $"{kv.Key} ×{kv.Value}"))}; all are in the event file)");
        }
    }
}
