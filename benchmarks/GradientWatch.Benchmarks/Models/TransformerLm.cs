using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Benchmarks.Models;

/// <summary>A small decoder-only language model: token and position embeddings, pre-norm blocks, final norm, vocabulary head.</summary>
internal sealed class TransformerLm : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tokens;
    private readonly Parameter positions;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public TransformerLm(int vocabulary, int context, int width, int heads, int hidden, int depth)
        : base(nameof(TransformerLm))
    {
        tokens = nn.Embedding(vocabulary, width);
        positions = new Parameter(torch.randn(context, width) * 0.02);
        blocks = new ModuleList<TransformerBlock>();
        for (int i = 0; i < depth; i++)
        {
            blocks.Add(new TransformerBlock(width, heads, hidden));
        }

        norm = nn.LayerNorm(width);
        head = nn.Linear(width, vocabulary);
        RegisterComponents();
    }

    /// <summary>Token ids (batch, time) → logits (batch, time, vocabulary).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = torch.NewDisposeScope();
        long t = ids.shape[1];
        var x = tokens.call(ids) + positions[..(int)t];
        foreach (var block in blocks)
        {
            x = block.call(x);
        }

        return head.call(norm.call(x)).MoveToOuterDisposeScope();
    }
}
