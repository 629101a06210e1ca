using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Benchmarks.Models;

/// <summary>A pre-norm transformer block: causal multi-head self-attention and a GELU feed-forward, 16 parameter tensors.</summary>
internal sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln1;
    private readonly Linear q;
    private readonly Linear k;
    private readonly Linear v;
    private readonly Linear o;
    private readonly LayerNorm ln2;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly int heads;

    public TransformerBlock(int width, int heads, int hidden)
        : base(nameof(TransformerBlock))
    {
        this.heads = heads;
        ln1 = nn.LayerNorm(width);
        q = nn.Linear(width, width);
        k = nn.Linear(width, width);
        v = nn.Linear(width, width);
        o = nn.Linear(width, width);
        ln2 = nn.LayerNorm(width);
        fc1 = nn.Linear(width, hidden);
        fc2 = nn.Linear(hidden, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        long dh = c / heads;
        var h = ln1.call(x);
        var qh = q.call(h).view(b, t, heads, dh).transpose(1, 2);
        var kh = k.call(h).view(b, t, heads, dh).transpose(1, 2);
        var vh = v.call(h).view(b, t, heads, dh).transpose(1, 2);
        var scores = qh.matmul(kh.transpose(-2, -1)) / Math.Sqrt(dh);
        var mask = torch.ones(t, t, dtype: ScalarType.Bool).triu(1);
        scores = scores.masked_fill(mask, float.NegativeInfinity);
        var attention = scores.softmax(-1).matmul(vh).transpose(1, 2).contiguous().view(b, t, c);
        x = x + o.call(attention);
        x = x + fc2.call(nn.functional.gelu(fc1.call(ln2.call(x))));
        return x.MoveToOuterDisposeScope();
    }
}
