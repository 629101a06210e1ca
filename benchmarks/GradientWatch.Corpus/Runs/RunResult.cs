namespace GradientWatch.Corpus.Runs;

/// <summary>One trained run: its specification, remedy configuration, trajectory and GradientWatch's events.</summary>
internal sealed record RunResult(RunSpec Spec, RemedyConfig Config, Trajectory Trajectory, IReadOnlyList<ObservedEvent> Events, double Seconds);
