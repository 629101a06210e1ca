using System.Globalization;

namespace GradientWatch.Demo.Tests;

/// <summary>The demo's steps.csv, read back.</summary>
public sealed class StepTable
{
    private StepTable(string[] header, string[][] rows)
    {
        Header = header;
        Rows = rows;
    }

    public IReadOnlyList<string> Header { get; }

    public IReadOnlyList<string[]> Rows { get; }

    public static StepTable Read(string path)
    {
        var lines = File.ReadAllLines(path);
        return new StepTable(lines[0].Split(','), lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray());
    }

    public IEnumerable<string[]> Run(string run) => Rows.Where(r => r[0] == run);

    public double Value(string[] row, string column) => double.Parse(row[Array.IndexOf(Header.ToArray(), column)], CultureInfo.InvariantCulture);

    /// <summary>Mean loss over the last <paramref name="steps"/> steps of a run (NaN when any is non-finite).</summary>
    public double FinalLoss(string run, int steps = 8) => Run(run).TakeLast(steps).Average(r => Value(r, "loss"));
}
