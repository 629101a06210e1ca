using System.Globalization;
using System.Text;

namespace GradientWatch;

/// <summary>The outcome of <see cref="GradientCheck.Run"/>.</summary>
public sealed record GradientCheckReport
{
    /// <summary>True when every parameter passed.</summary>
    public bool Passed => Results.All(r => r.Passed);

    /// <summary>One result per parameter tensor, in registration order.</summary>
    public required IReadOnlyList<GradientCheckResult> Results { get; init; }

    /// <summary>The results that failed.</summary>
    public IReadOnlyList<GradientCheckResult> Failures => Results.Where(r => !r.Passed).ToArray();

    /// <summary>The precision the finite differences were computed in: <c>float64</c> or <c>float32</c>.</summary>
    public required string Precision { get; init; }

    /// <summary>Finite-difference step used.</summary>
    public required double StepSize { get; init; }

    /// <summary>Relative tolerance used.</summary>
    public required double RelativeTolerance { get; init; }

    /// <summary>Absolute tolerance used.</summary>
    public required double AbsoluteTolerance { get; init; }

    /// <summary>Wall-clock time of the check.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>A readable table: one line per parameter with errors, worst index and verdict.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Gradient check ({Precision}, h={StepSize:G2}, rtol={RelativeTolerance:G2}, atol={AbsoluteTolerance:G2}): {(Passed ? "PASSED" : "FAILED")} in {Elapsed.TotalSeconds:F2} s");
        foreach (var r in Results)
        {
            string verdict = r.Frozen ? "frozen" : r.Passed ? "ok" : "FAIL";
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {r.Parameter,-32} {verdict,-6} checked {r.ElementsChecked,5}/{r.ElementCount,-8} max abs {r.MaxAbsoluteError,10:E2}  max rel {r.MaxRelativeError,10:E2}  worst [{string.Join(",", r.WorstIndex)}] autograd {r.WorstAnalytic:G4} vs numeric {r.WorstNumeric:G4}{(r.NonDifferentiablePoints > 0 ? $"  ({r.NonDifferentiablePoints} kink(s))" : string.Empty)}");
        }

        return sb.ToString();
    }
}
