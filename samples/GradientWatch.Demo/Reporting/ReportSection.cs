using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Reporting;

/// <summary>One run's part of a report.</summary>
internal sealed record ReportSection(DemoRun Run, Diagnosis Diagnosis, IReadOnlyList<ReportImage> Images);
