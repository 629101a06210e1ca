using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Support;

/// <summary>Small deterministic TorchSharp models for tests.</summary>
internal static class TestModels
{
    /// <summary>A custom module with two sub-layers, to check that module paths nest correctly.</summary>
    internal sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc1;
        private readonly Linear fc2;

        public Block(int width)
            : base(nameof(Block))
        {
            fc1 = nn.Linear(width, width);
            fc2 = nn.Linear(width, width);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc2.call(nn.functional.relu(fc1.call(input)));
    }

    /// <summary>encoder (Sequential: Linear, Tanh, Block, Block) → head (Linear).</summary>
    public static nn.Module<Tensor, Tensor> Nested(int inputs, int width, int outputs, ScalarType dtype = ScalarType.Float32)
    {
        var encoder = nn.Sequential(
            ("0", (nn.Module<Tensor, Tensor>)nn.Linear(inputs, width)),
            ("1", nn.Tanh()),
            ("2", new Block(width)),
            ("3", new Block(width)));
        var model = nn.Sequential(("encoder", (nn.Module<Tensor, Tensor>)encoder), ("head", nn.Linear(width, outputs)));
        return model.to(dtype);
    }

    /// <summary>A plain MLP of <paramref name="depth"/> Linear layers with the given activation between them.</summary>
    public static nn.Module<Tensor, Tensor> Mlp(int inputs, int width, int outputs, int depth, Func<nn.Module<Tensor, Tensor>> activation)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int index = 0;
        for (int i = 0; i < depth; i++)
        {
            int fanIn = i == 0 ? inputs : width;
            int fanOut = i == depth - 1 ? outputs : width;
            layers.Add(((index++).ToString(), nn.Linear(fanIn, fanOut)));
            if (i < depth - 1)
            {
                layers.Add(((index++).ToString(), activation()));
            }
        }

        return nn.Sequential(layers);
    }

    /// <summary>Flattens a tensor's values to doubles (any dtype, any device).</summary>
    public static double[] Values(Tensor t)
    {
        using var d = t.detach().cpu().to_type(ScalarType.Float64).contiguous().flatten();
        return d.data<double>().ToArray();
    }
}
