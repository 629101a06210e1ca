namespace GradientWatch.OpenTelemetry.Tests.Support;

/// <summary>Hand-made step snapshots and events, so metrics are tested without TorchSharp.</summary>
internal static class Steps
{
    public static StepSnapshot Snapshot(long step, double[] norms, bool full = false, double? loss = 0.5, double lr = 1e-3, bool skipped = false, long[]? nanCounts = null)
    {
        var layers = new LayerStatistics[norms.Length];
        for (int i = 0; i < norms.Length; i++)
        {
            layers[i] = new LayerStatistics
            {
                Name = $"fc{i}",
                Index = i,
                ParameterCount = 2,
                ElementCount = 100,
                IsFrozen = false,
                HasFullStatistics = full,
                GradientNorm = norms[i],
                MaxAbs = norms[i] / 2,
                NanCount = nanCounts?[i] ?? 0,
                InfCount = 0,
                ZeroFraction = full ? 0.25 : double.NaN,
                WeightNorm = full ? 10 : double.NaN,
                UpdateToWeightRatio = full ? 1e-3 : double.NaN,
            };
        }

        return new StepSnapshot
        {
            Step = step,
            Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(step),
            Loss = loss,
            GlobalGradientNorm = Math.Sqrt(norms.Sum(n => n * n)),
            HasNonFinite = false,
            LearningRates = [lr],
            IsFullStatistics = full,
            Layers = layers,
            StepSkipped = skipped,
        };
    }

    public static string[] LayerNames(int count) => Enumerable.Range(0, count).Select(i => $"fc{i}").ToArray();

    public static GradientEvent Issue(GradientIssueKind kind, GradientEventSeverity severity = GradientEventSeverity.Error) => new()
    {
        Type = GradientEventType.Issue,
        Step = 1,
        Time = DateTimeOffset.UnixEpoch,
        RunId = "r",
        Model = "m",
        Kind = kind,
        Severity = severity,
        Message = "test",
    };

    public static GradientEvent Remedy(string name) => new()
    {
        Type = GradientEventType.Remedy,
        Step = 1,
        Time = DateTimeOffset.UnixEpoch,
        RunId = "r",
        Model = "m",
        Remedy = name,
        Severity = GradientEventSeverity.Info,
        Message = "test",
    };
}
