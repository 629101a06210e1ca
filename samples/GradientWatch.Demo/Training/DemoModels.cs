using static TorchSharp.torch;

namespace GradientWatch.Demo.Training;

/// <summary>The small TorchSharp models the scenarios train.</summary>
internal static class DemoModels
{
    /// <summary>
    /// An MLP of <paramref name="depth"/> Linear layers named <c>fc1</c>…<c>fcN</c>, with <paramref name="activation"/>
    /// between them (<c>act1</c>…) and an optional module inserted after the first activation.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Mlp(int inputs, int width, int depth, Func<nn.Module<Tensor, Tensor>> activation, nn.Module<Tensor, Tensor>? afterFirstActivation = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 2);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 1; i <= depth; i++)
        {
            layers.Add(($"fc{i}", nn.Linear(i == 1 ? inputs : width, i == depth ? 1 : width)));
            if (i < depth)
            {
                layers.Add(($"act{i}", activation()));
                if (i == 1 && afterFirstActivation is not null)
                {
                    layers.Add(("fault", afterFirstActivation));
                }
            }
        }

        return nn.Sequential(layers);
    }
}
