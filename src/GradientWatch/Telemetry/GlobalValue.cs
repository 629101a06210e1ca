namespace GradientWatch.Telemetry;

/// <summary>The whole-model gauge values a watcher reports.</summary>
internal enum GlobalValue
{
    Norm,
    NormPeak,
    Loss,
    LearningRate,
    StepSizeAlpha,
}
