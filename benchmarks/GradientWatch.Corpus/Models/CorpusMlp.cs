using GradientWatch.Corpus.Runs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>A plain MLP: <c>depth</c> Linear layers, each hidden one followed by optional normalization and an activation.</summary>
internal sealed class CorpusMlp : nn.Module<Tensor, Tensor>, IActivationProbe
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> fc = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> norm = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> act = new();

    public CorpusMlp(int inputs, int outputs, RunSpec spec)
        : base(nameof(CorpusMlp))
    {
        for (int i = 0; i < spec.Depth; i++)
        {
            bool last = i == spec.Depth - 1;
            fc.Add(nn.Linear(i == 0 ? inputs : spec.Width, last ? outputs : spec.Width));
            if (!last)
            {
                norm.Add(Layers.Norm(spec.Normalization, spec.Width));
                act.Add(Layers.Activation(spec.Activation));
            }
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var h = input;
        for (int i = 0; i < act.Count; i++)
        {
            h = act[i].call(norm[i].call(fc[i].call(h)));
        }

        return fc[^1].call(h);
    }

    public IReadOnlyList<Tensor> HiddenActivations(Tensor input)
    {
        var result = new List<Tensor>();
        var h = input;
        for (int i = 0; i < act.Count; i++)
        {
            h = act[i].call(norm[i].call(fc[i].call(h)));
            result.Add(h);
        }

        return result;
    }
}
