using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Capture;

/// <summary>
/// Measures the directional slopes Cockpit's α needs: g_t·d_t at the end of step t (d_t = w_{t+1} − w_t) and
/// g_{t+1}·d_t at the next step. Costs one weight copy, one difference and two dot products per step.
/// </summary>
internal sealed class StepSizeTracker : IDisposable
{
    private readonly LayerMap map;
    private Tensor?[] previous = Array.Empty<Tensor?>();
    private Tensor?[] direction = Array.Empty<Tensor?>();
    private double slope0 = double.NaN;
    private double? loss0;
    private bool hasDirection;

    public StepSizeTracker(LayerMap map) => this.map = map;

    /// <summary>Completes the previous step's measurement with this step's gradient; returns (loss0, slope0, slope1) or null.</summary>
    public (double? Loss0, double Slope0, double Slope1)? Complete()
    {
        if (!hasDirection)
        {
            return null;
        }

        hasDirection = false;
        double slope1 = Dot(direction);
        Release(direction);
        return (loss0, slope0, slope1);
    }

    /// <summary>Keeps a copy of the weights before the optimizer step.</summary>
    public void BeforeStep()
    {
        EnsureSize();
        using (torch.no_grad())
        {
            for (int i = 0; i < map.Parameters.Count; i++)
            {
                var p = map.Parameters[i].Parameter;
                previous[i]?.Dispose();
                previous[i] = p.requires_grad ? p.detach().clone().DetachFromDisposeScope() : null;
            }
        }
    }

    /// <summary>
    /// Turns the kept weights into the step direction and measures g·d with the step's gradient.
    /// <paramref name="gradientScale"/> undoes a uniform scaling remedies applied, so the slope is the loss's own.
    /// </summary>
    public void AfterStep(double? loss, double gradientScale)
    {
        EnsureSize();
        using (torch.no_grad())
        {
            for (int i = 0; i < map.Parameters.Count; i++)
            {
                direction[i]?.Dispose();
                direction[i] = null;
                if (previous[i] is { } prev)
                {
                    // d = w_new − w_old, computed in place in the kept copy.
                    prev.neg_().add_(map.Parameters[i].Parameter.detach());
                    direction[i] = prev;
                    previous[i] = null;
                }
            }
        }

        double dot = Dot(direction);
        slope0 = gradientScale != 0 ? dot / gradientScale : double.NaN;
        loss0 = loss;
        hasDirection = double.IsFinite(slope0);
    }

    /// <summary>Forgets a half-finished measurement (for example when the step was skipped).</summary>
    public void Reset()
    {
        hasDirection = false;
        Release(previous);
        Release(direction);
    }

    public void Dispose() => Reset();

    private double Dot(Tensor?[] vectors)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? total = null;
        for (int i = 0; i < map.Parameters.Count; i++)
        {
            var p = map.Parameters[i].Parameter;
            if (vectors[i] is not { } d || !p.requires_grad)
            {
                continue;
            }

            using var g = p.grad;
            if (g is null)
            {
                continue;
            }

            var term = g.to_type(ScalarType.Float64).mul(d.to_type(ScalarType.Float64)).sum();
            total = total is null ? term : total.add(term);
        }

        return total is null ? double.NaN : total.cpu().item<double>();
    }

    private void EnsureSize()
    {
        if (previous.Length != map.Parameters.Count)
        {
            previous = new Tensor?[map.Parameters.Count];
            direction = new Tensor?[map.Parameters.Count];
        }
    }

    private static void Release(Tensor?[] tensors)
    {
        for (int i = 0; i < tensors.Length; i++)
        {
            tensors[i]?.Dispose();
            tensors[i] = null;
        }
    }
}
