using GradientWatch.Corpus.Runs;

namespace GradientWatch.Corpus.MlNet;

/// <summary>A run trained through the ML.NET path: a corpus model specification, the number of epochs, and what the run stands for.</summary>
internal sealed record MlNetSetup(RunSpec Spec, int Epochs, string Role);
