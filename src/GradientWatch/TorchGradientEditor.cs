using GradientWatch.Capture;
using GradientWatch.Remedies;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch;

/// <summary>The remedies' view of one step's gradients and optimizer, implemented with TorchSharp in-place ops.</summary>
internal sealed class TorchGradientEditor : IGradientEditor
{
    private readonly LayerMap map;
    private readonly GradientCapture capture;
    private readonly optim.Optimizer optimizer;
    private double globalNorm;
    private bool stale;

    public TorchGradientEditor(LayerMap map, GradientCapture capture, optim.Optimizer optimizer)
    {
        this.map = map;
        this.capture = capture;
        this.optimizer = optimizer;
    }

    /// <summary>True once any remedy changed the gradients on this step.</summary>
    public bool Edited { get; private set; }

    /// <summary>Product of the uniform scalings applied on this step (1 when none).</summary>
    public double UniformScale { get; private set; } = 1.0;

    public void Reset(double measuredGlobalNorm)
    {
        globalNorm = measuredGlobalNorm;
        stale = false;
        Edited = false;
        UniformScale = 1.0;
    }

    public double CurrentGlobalNorm
    {
        get
        {
            if (stale)
            {
                using var scope = torch.NewDisposeScope();
                capture.MeasureGradients(full: false);
                double sq = 0;
                bool nan = false;
                foreach (ref readonly var g in capture.Gradients)
                {
                    sq += g.SumOfSquares;
                    nan |= g.NonFiniteCount > 0;
                }

                globalNorm = nan ? double.NaN : Math.Sqrt(sq);
                stale = false;
            }

            return globalNorm;
        }
    }

    public void ScaleAll(double factor)
    {
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            foreach (var g in Gradients())
            {
                g.mul_(factor);
            }
        }

        globalNorm *= factor;
        UniformScale *= factor;
        Edited = true;
    }

    public long ClampValues(double limit)
    {
        using var scope = torch.NewDisposeScope();
        long changed = 0;
        using (torch.no_grad())
        {
            foreach (var g in Gradients())
            {
                changed += g.abs().gt(limit).sum().item<long>();
                g.clamp_(-limit, limit);
            }
        }

        stale |= changed > 0;
        Edited |= changed > 0;
        return changed;
    }

    public long AdaptiveClip(double clipping, double epsilon)
    {
        using var scope = torch.NewDisposeScope();
        long units = 0;
        using (torch.no_grad())
        {
            foreach (var entry in map.Parameters)
            {
                var p = entry.Parameter;
                var g = p.requires_grad ? p.grad : null;
                if (g is null)
                {
                    continue;
                }

                var (wNorm, gNorm) = UnitNorms(p.detach(), g);
                var limit = wNorm.clamp_min(epsilon).mul(clipping);
                var clip = gNorm.gt(limit);
                var factor = torch.where(clip, limit.div(gNorm.clamp_min(1e-6)), torch.ones_like(gNorm));
                g.mul_(factor);
                units += clip.sum().item<long>();
            }
        }

        stale |= units > 0;
        Edited |= units > 0;
        return units;
    }

    /// <summary>Per-unit norms as in AGC: a whole-tensor norm for 0-1 dimensional tensors, else the norm over every dimension but the first (output units).</summary>
    internal static (Tensor Weight, Tensor Gradient) UnitNorms(Tensor w, Tensor g)
    {
        if (w.dim() <= 1)
        {
            return (w.norm(), g.norm());
        }

        var dims = Enumerable.Range(1, (int)w.dim() - 1).Select(d => (long)d).ToArray();
        return (torch.linalg.vector_norm(w, 2, dims, keepdim: true), torch.linalg.vector_norm(g, 2, dims, keepdim: true));
    }

    public IReadOnlyList<string> AddPenalty(bool l1, double coefficient, IReadOnlyCollection<string> layerFilter)
    {
        using var scope = torch.NewDisposeScope();
        var applied = new SortedSet<int>();
        using (torch.no_grad())
        {
            foreach (var entry in map.Parameters)
            {
                string layer = map.Layers[entry.LayerIndex].Name;
                if (layerFilter.Count > 0 && !layerFilter.Any(f => layer == f || layer.StartsWith(f + ".", StringComparison.Ordinal)))
                {
                    continue;
                }

                var p = entry.Parameter;
                var g = p.requires_grad ? p.grad : null;
                if (g is null)
                {
                    continue;
                }

                var w = p.detach();
                g.add_(l1 ? w.sign() : w, alpha: coefficient);
                applied.Add(entry.LayerIndex);
            }
        }

        stale |= applied.Count > 0;
        Edited |= applied.Count > 0;
        return applied.Select(i => map.Layers[i].Name).ToArray();
    }

    public IReadOnlyList<double> LearningRates => optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();

    public void SetLearningRates(IReadOnlyList<double> rates)
    {
        int i = 0;
        foreach (var group in optimizer.ParamGroups)
        {
            if (i < rates.Count)
            {
                group.LearningRate = rates[i];
            }

            i++;
        }
    }

    private IEnumerable<Tensor> Gradients()
    {
        foreach (var entry in map.Parameters)
        {
            var p = entry.Parameter;
            var g = p.requires_grad ? p.grad : null;
            if (g is not null)
            {
                yield return g;
            }
        }
    }
}
