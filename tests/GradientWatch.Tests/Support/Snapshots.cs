namespace GradientWatch.Tests.Support;

/// <summary>Builds synthetic snapshots for detector tests (no TorchSharp involved).</summary>
internal static class Snapshots
{
    public static StepSnapshot FromNorms(long step, params double[] layerNorms) => Build(step, layerNorms, full: true);

    public static StepSnapshot Build(long step, double[] layerNorms, bool full = true, double[]? zeroFractions = null, double[]? updateRatios = null, long[]? nanCounts = null, double? loss = null, double lr = 0.01)
    {
        var layers = new LayerStatistics[layerNorms.Length];
        double sq = 0;
        bool nonFinite = loss is { } l && !double.IsFinite(l);
        for (int i = 0; i < layers.Length; i++)
        {
            long nan = nanCounts?[i] ?? 0;
            double norm = nan > 0 ? double.NaN : layerNorms[i];
            nonFinite |= nan > 0 || !double.IsFinite(norm);
            sq += norm * norm;
            layers[i] = new LayerStatistics
            {
                Name = $"layer{i}",
                Index = i,
                ParameterCount = 2,
                ElementCount = 100,
                IsFrozen = false,
                HasFullStatistics = full,
                GradientNorm = norm,
                MaxAbs = Math.Abs(norm),
                NanCount = nan,
                InfCount = 0,
                ZeroFraction = zeroFractions?[i] ?? (full ? 0.0 : double.NaN),
                UpdateToWeightRatio = updateRatios?[i] ?? double.NaN,
            };
        }

        return new StepSnapshot
        {
            Step = step,
            Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(step),
            Loss = loss,
            GlobalGradientNorm = Math.Sqrt(sq),
            HasNonFinite = nonFinite,
            LearningRates = new[] { lr },
            IsFullStatistics = full,
            Layers = layers,
        };
    }
}
