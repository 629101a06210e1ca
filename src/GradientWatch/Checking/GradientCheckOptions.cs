using static TorchSharp.torch;

namespace GradientWatch;

/// <summary>Options of <see cref="GradientCheck"/>.</summary>
public sealed class GradientCheckOptions
{
    /// <summary>
    /// Creates a second instance of the module's architecture. GradientCheck copies the module's weights into it
    /// (<c>load_state_dict</c>) and converts it to float64, so the module itself is never touched and the finite
    /// differences are precise. Without a factory, a float64 module is checked as it is, and any other module is
    /// checked in its own precision with looser tolerances (the report says which).
    /// </summary>
    public Func<nn.Module>? ModuleFactory { get; set; }

    /// <summary>Finite-difference step h. Default: 1e-6 in float64, 1e-2 in float32.</summary>
    public double? StepSize { get; set; }

    /// <summary>Relative tolerance. Default: 1e-4 in float64, 5e-2 in float32.</summary>
    public double? RelativeTolerance { get; set; }

    /// <summary>Absolute tolerance. Default: 1e-7 in float64, 1e-3 in float32.</summary>
    public double? AbsoluteTolerance { get; set; }

    /// <summary>Elements checked per parameter tensor; smaller tensors are checked completely. Default 32.</summary>
    public int MaxElementsPerParameter { get; set; } = 32;

    /// <summary>Elements checked in total over all parameters. Default 2048.</summary>
    public int MaxElements { get; set; } = 2048;

    /// <summary>Seed for choosing the sampled elements. Default 0.</summary>
    public int Seed { get; set; }

    internal void Validate()
    {
        if (StepSize is { } h && !(h > 0 && double.IsFinite(h)))
        {
            throw new ArgumentException($"GradientCheckOptions.StepSize must be a finite number greater than 0, was {h}.", nameof(StepSize));
        }

        if (RelativeTolerance is { } r && !(r >= 0))
        {
            throw new ArgumentException($"GradientCheckOptions.RelativeTolerance must be 0 or more, was {r}.", nameof(RelativeTolerance));
        }

        if (AbsoluteTolerance is { } a && !(a >= 0))
        {
            throw new ArgumentException($"GradientCheckOptions.AbsoluteTolerance must be 0 or more, was {a}.", nameof(AbsoluteTolerance));
        }

        if (MaxElementsPerParameter < 1)
        {
            throw new ArgumentException($"GradientCheckOptions.MaxElementsPerParameter must be at least 1, was {MaxElementsPerParameter}.", nameof(MaxElementsPerParameter));
        }

        if (MaxElements < 1)
        {
            throw new ArgumentException($"GradientCheckOptions.MaxElements must be at least 1, was {MaxElements}.", nameof(MaxElements));
        }
    }
}
