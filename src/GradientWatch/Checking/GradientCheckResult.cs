namespace GradientWatch;

/// <summary>The gradient check of one parameter tensor.</summary>
public sealed record GradientCheckResult
{
    /// <summary>Full parameter name, for example <c>encoder.fc1.weight</c>.</summary>
    public required string Parameter { get; init; }

    /// <summary>The owning module's path (the layer), for example <c>encoder.fc1</c>.</summary>
    public required string Layer { get; init; }

    /// <summary>True when every checked element agreed within tolerance (frozen parameters pass trivially).</summary>
    public required bool Passed { get; init; }

    /// <summary>True when the parameter has no gradient to check (requires_grad false).</summary>
    public bool Frozen { get; init; }

    /// <summary>Number of elements in the tensor.</summary>
    public long ElementCount { get; init; }

    /// <summary>Number of elements checked.</summary>
    public int ElementsChecked { get; init; }

    /// <summary>Largest |analytic − numeric| over the checked elements.</summary>
    public double MaxAbsoluteError { get; init; }

    /// <summary>Largest |analytic − numeric| / max(|analytic|, |numeric|) over the checked elements.</summary>
    public double MaxRelativeError { get; init; }

    /// <summary>Multi-dimensional index of the worst element, or empty.</summary>
    public IReadOnlyList<long> WorstIndex { get; init; } = Array.Empty<long>();

    /// <summary>Autograd gradient at the worst element.</summary>
    public double WorstAnalytic { get; init; }

    /// <summary>Central finite difference at the worst element.</summary>
    public double WorstNumeric { get; init; }

    /// <summary>Checked elements that sit on a kink (one-sided slopes disagree, autograd matches one of them); not counted as failures.</summary>
    public int NonDifferentiablePoints { get; init; }
}
