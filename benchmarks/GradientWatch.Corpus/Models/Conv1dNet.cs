using GradientWatch.Corpus.Runs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>A 1-D convolution over a window: <c>depth</c> conv layers (kernel 5, same padding), mean over time, linear head.</summary>
internal sealed class Conv1dNet : nn.Module<Tensor, Tensor>, IActivationProbe
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> conv = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> act = new();
    private readonly Linear head;

    public Conv1dNet(int outputs, RunSpec spec)
        : base(nameof(Conv1dNet))
    {
        for (int i = 0; i < Math.Max(1, spec.Depth - 1); i++)
        {
            conv.Add(nn.Conv1d(i == 0 ? 1 : spec.Width, spec.Width, 5, padding: 2));
            act.Add(Layers.Activation(spec.Activation));
        }

        head = nn.Linear(spec.Width, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => head.call(Features(x, null).mean([2]));

    public IReadOnlyList<Tensor> HiddenActivations(Tensor x)
    {
        var result = new List<Tensor>();
        Features(x, result);
        return result;
    }

    private Tensor Features(Tensor x, List<Tensor>? record)
    {
        var h = x.unsqueeze(1);
        for (int i = 0; i < conv.Count; i++)
        {
            h = act[i].call(conv[i].call(h));
            record?.Add(h.transpose(1, 2).reshape(-1, h.shape[1]));
        }

        return h;
    }
}
