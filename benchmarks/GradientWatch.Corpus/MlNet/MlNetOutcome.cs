using GradientWatch.Corpus.Runs;

namespace GradientWatch.Corpus.MlNet;

/// <summary>
/// One ML.NET-path training: the trajectory and events as the corpus records them, ML.NET's own held-out metric
/// (macro accuracy for classification, R² for regression), and what happened to the learning rate.
/// </summary>
internal sealed record MlNetOutcome(RunResult Run, string MetricName, double Metric, int LearningRateCuts, double FinalLearningRateRatio);
