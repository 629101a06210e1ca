using GradientWatch.Corpus.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>A small pre-norm transformer encoder over a window: value embedding + learned positions, <c>depth − 1</c> blocks, mean pooling.</summary>
internal sealed class TinyTransformer : nn.Module<Tensor, Tensor>, IActivationProbe
{
    private readonly Linear embed;
    private readonly Parameter positions;
    private readonly ModuleList<TransformerBlock> blocks = new();
    private readonly LayerNorm final;
    private readonly Linear head;

    public TinyTransformer(int window, int outputs, RunSpec spec)
        : base(nameof(TinyTransformer))
    {
        embed = nn.Linear(1, spec.Width);
        positions = new Parameter(torch.randn(window, spec.Width) * 0.02);
        for (int i = 0; i < Math.Max(1, spec.Depth - 1); i++)
        {
            blocks.Add(new TransformerBlock(spec.Width));
        }

        final = nn.LayerNorm(spec.Width);
        head = nn.Linear(spec.Width, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>The feed-forward layers' ReLU outputs (the only activations with dead units), one row per position.</summary>
    public IReadOnlyList<Tensor> HiddenActivations(Tensor x)
    {
        var result = new List<Tensor>();
        Forward(x, result);
        return result;
    }

    private Tensor Forward(Tensor x, List<Tensor>? record)
    {
        var h = embed.call(x.unsqueeze(2)) + positions;
        foreach (var block in blocks)
        {
            h = block.Forward(h, record);
        }

        return head.call(final.call(h).mean([1]));
    }
}
