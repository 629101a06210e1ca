namespace GradientWatch.Telemetry;

/// <summary>The per-layer gauge values a watcher reports.</summary>
internal enum LayerValue
{
    Norm,
    NormPeak,
    MaxAbs,
    ZeroFraction,
    WeightNorm,
    UpdateRatio,
    Float16Underflow,
    BFloat16Underflow,
}
