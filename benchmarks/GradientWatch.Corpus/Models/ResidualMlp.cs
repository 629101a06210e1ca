using GradientWatch.Corpus.Runs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>An MLP with residual blocks: input projection, <c>depth − 2</c> blocks h + act(norm(W h)), output layer.</summary>
internal sealed class ResidualMlp : nn.Module<Tensor, Tensor>, IActivationProbe
{
    private readonly Linear input;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> norm = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> act = new();
    private readonly nn.Module<Tensor, Tensor> inputAct;
    private readonly Linear output;

    public ResidualMlp(int inputs, int outputs, RunSpec spec)
        : base(nameof(ResidualMlp))
    {
        input = nn.Linear(inputs, spec.Width);
        inputAct = Layers.Activation(spec.Activation);
        for (int i = 0; i < Math.Max(1, spec.Depth - 2); i++)
        {
            blocks.Add(nn.Linear(spec.Width, spec.Width));
            norm.Add(Layers.Norm(spec.Normalization, spec.Width));
            act.Add(Layers.Activation(spec.Activation));
        }

        output = nn.Linear(spec.Width, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => output.call(Hidden(x, null));

    public IReadOnlyList<Tensor> HiddenActivations(Tensor x)
    {
        var result = new List<Tensor>();
        Hidden(x, result);
        return result;
    }

    private Tensor Hidden(Tensor x, List<Tensor>? record)
    {
        var h = inputAct.call(input.call(x));
        record?.Add(h);
        for (int i = 0; i < blocks.Count; i++)
        {
            var a = act[i].call(norm[i].call(blocks[i].call(h)));
            record?.Add(a);
            h = h + a;
        }

        return h;
    }
}
