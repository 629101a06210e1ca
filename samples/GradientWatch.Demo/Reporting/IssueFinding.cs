namespace GradientWatch.Demo.Reporting;

/// <summary>One kind of issue found in a run: how often, from which step, where, and how bad.</summary>
internal sealed record IssueFinding(GradientIssueKind Kind, GradientEventSeverity Severity, int Count, long FirstStep, long LastStep, IReadOnlyList<string> Layers);
