namespace GradientWatch.ML.Watching;

/// <summary>What <see cref="EstimatorInspector"/> found: every leaf estimator type, and the Microsoft.ML.TorchSharp ones among them.</summary>
internal sealed record EstimatorInspection(IReadOnlyList<Type> All, IReadOnlyList<Type> UpstreamTorchSharp);
