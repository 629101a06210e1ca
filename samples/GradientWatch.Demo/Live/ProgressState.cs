using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Live;

/// <summary>What the live view shows, updated from the training callbacks: the latest step, per-layer state and recent events.</summary>
internal sealed class ProgressState
{
    private readonly List<GradientEvent> recent = new();
    private readonly Dictionary<string, (GradientIssueKind Kind, long Step)> layerFlags = new(StringComparer.Ordinal);

    public ProgressState(string scenarioTitle, int capacity = 6)
    {
        ScenarioTitle = scenarioTitle;
        Capacity = capacity;
    }

    public string ScenarioTitle { get; }

    public int Capacity { get; }

    public TrainingSpec? Spec { get; private set; }

    public StepSnapshot? Latest { get; private set; }

    public int Epoch { get; private set; }

    public int Issues { get; private set; }

    public int RemedyActions { get; private set; }

    public int Skipped { get; private set; }

    public IReadOnlyCollection<GradientEvent> RecentEvents => recent;

    public void Start(TrainingSpec spec)
    {
        Spec = spec;
        Latest = null;
        Epoch = 0;
        Issues = 0;
        RemedyActions = 0;
        Skipped = 0;
        recent.Clear();
        layerFlags.Clear();
    }

    public void Step(StepSnapshot snapshot, int epoch)
    {
        Latest = snapshot;
        Epoch = epoch;
        if (snapshot.StepSkipped)
        {
            Skipped++;
        }
    }

    public void Event(GradientEvent e)
    {
        if (e.Type == GradientEventType.Issue)
        {
            Issues++;
            if (e.Kind is { } kind)
            {
                foreach (var layer in e.Layers)
                {
                    layerFlags[layer] = (kind, e.Step);
                }
            }
        }
        else
        {
            RemedyActions++;
        }

        // Clipping acts on most steps of an exploding run: show only its latest action, so it cannot push everything else out.
        if (e.Remedy is "clip_global_norm" or "clip_value" or "clip_adaptive" or "clip_zscore")
        {
            recent.RemoveAll(r => r.Remedy == e.Remedy);
        }

        recent.Add(e);
        while (recent.Count > Capacity)
        {
            recent.RemoveAt(0);
        }
    }

    /// <summary>The issue a layer was flagged for within the last <paramref name="withinSteps"/> steps, if any.</summary>
    public GradientIssueKind? FlagOf(string layer, long withinSteps = 100)
        => layerFlags.TryGetValue(layer, out var flag) && Latest is { } s && s.Step - flag.Step <= withinSteps ? flag.Kind : null;
}
