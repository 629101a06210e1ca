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
        if (e.Remedy is "clip_global_norm" or "clip_value" or "clip_adaptive" or "clip_zscore" or "clip_relative")
        {
            recent.RemoveAll(r => r.Remedy == e.Remedy);
        }

        recent.Add(e);
        while (recent.Count > Capacity)
        {
            recent.RemoveAt(0);
        }
    }

    /// <summary>Steps a layer keeps the tag of a transient issue (exploding, non-finite), raised on every step it happens.</summary>
    public const long TransientFlagSteps = 5;

    /// <summary>Steps a layer keeps the tag of a persistent condition, which its detector repeats every 100 steps while it lasts.</summary>
    public const long PersistentFlagSteps = 100;

    /// <summary>
    /// The issue a layer is tagged with: a transient one (exploding, non-finite) for <see cref="TransientFlagSteps"/> steps
    /// after its last event, a persistent one for <see cref="PersistentFlagSteps"/>.
    /// </summary>
    public GradientIssueKind? FlagOf(string layer)
    {
        if (!layerFlags.TryGetValue(layer, out var flag) || Latest is not { } s)
        {
            return null;
        }

        long within = flag.Kind is GradientIssueKind.Exploding or GradientIssueKind.NonFinite ? TransientFlagSteps : PersistentFlagSteps;
        return s.Step - flag.Step <= within ? flag.Kind : null;
    }
}
