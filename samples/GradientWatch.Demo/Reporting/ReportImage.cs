namespace GradientWatch.Demo.Reporting;

/// <summary>A plot in the report: its file name (relative to the report) and caption.</summary>
internal sealed record ReportImage(string File, string Caption);
