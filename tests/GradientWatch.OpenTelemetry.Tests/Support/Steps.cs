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
                Histogram = full ? Histogram : null,
                Float16UnderflowFraction = full ? 0.1 : double.NaN,
                BFloat16UnderflowFraction = full ? 0.0 : double.NaN,
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

    /// <summary>100 elements: 25 zeros, 10 at 2^-20 (below float16's normal range), 65 at 2^-10 (matching the snapshot's fractions).</summary>
    public static readonly GradientHistogram Histogram = MakeHistogram();

    private static GradientHistogram MakeHistogram()
    {
        var values = new float[100];
        for (int i = 25; i < 35; i++)
        {
            values[i] = MathF.ScaleB(1f, -20);
        }

        for (int i = 35; i < 100; i++)
        {
            values[i] = -MathF.ScaleB(1f, -10);
        }

        var layout = new long[GradientWatch.Statistics.ExponentHistogram.Length];
        GradientWatch.Statistics.FusedReduction.Full(values, layout);
        return new GradientHistogram(layout);
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
