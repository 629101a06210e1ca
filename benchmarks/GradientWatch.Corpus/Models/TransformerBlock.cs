using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>One pre-norm block: single-head self-attention and a feed-forward layer, each with a residual path.</summary>
internal sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly LayerNorm norm2;
    private readonly Linear ff1;
    private readonly ReLU ffAct;
    private readonly Linear ff2;
    private readonly double scale;

    public TransformerBlock(int width)
        : base(nameof(TransformerBlock))
    {
        norm1 = nn.LayerNorm(width);
        qkv = nn.Linear(width, 3 * width);
        proj = nn.Linear(width, width);
        norm2 = nn.LayerNorm(width);
        ff1 = nn.Linear(width, 2 * width);
        ffAct = nn.ReLU();
        ff2 = nn.Linear(2 * width, width);
        scale = 1.0 / Math.Sqrt(width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>The block's output; records the feed-forward layer's ReLU output, one row per position, when asked.</summary>
    public Tensor Forward(Tensor x, List<Tensor>? record)
    {
        var parts = qkv.call(norm1.call(x)).chunk(3, -1);
        var attention = (parts[0].matmul(parts[1].transpose(1, 2)) * scale).softmax(-1);
        var h = x + proj.call(attention.matmul(parts[2]));
        var hidden = ffAct.call(ff1.call(norm2.call(h)));
        record?.Add(hidden.reshape(-1, hidden.shape[^1]));
        return h + ff2.call(hidden);
    }
}
