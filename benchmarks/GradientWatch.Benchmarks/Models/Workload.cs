using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Benchmarks.Models;

/// <summary>
/// A model, its Adam optimizer and its data: everything a training step needs. The inputs are one fixed batch;
/// the targets cycle through <see cref="TargetSets"/> random sets, so the model cannot memorize them and the
/// gradients keep an ordinary scale for as long as the benchmark runs (a memorized batch drives them toward
/// subnormal floats, which slow every float operation down and make the timings meaningless).
/// </summary>
internal sealed class Workload : IDisposable
{
    /// <summary>Number of target sets the steps cycle through.</summary>
    public const int TargetSets = 64;

    private readonly Func<int, Tensor> loss;
    private int step;
    private readonly Tensor[] data;

    private Workload(string name, string description, nn.Module module, Func<int, Tensor> loss, Tensor[] data, double learningRate)
    {
        Name = name;
        Description = description;
        Module = module;
        this.loss = loss;
        this.data = data;
        Parameters = module.parameters().ToArray();
        Optimizer = optim.Adam(Parameters, learningRate);
        ParameterCount = Parameters.Sum(p => p.numel());
    }

    public string Name { get; }

    public string Description { get; }

    public nn.Module Module { get; }

    public optim.Optimizer Optimizer { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    public long ParameterCount { get; }

    public int TensorCount => Parameters.Count;

    /// <summary>MLP 512 → 2048 → 2048 → 16 (ReLU), 5.3M parameters in 6 tensors, batch 128, cross-entropy.</summary>
    public static Workload ReferenceMlp(int batch = 128) => Mlp(512, 2048, 16, batch);

    /// <summary>MLP inputs → width → width → classes (ReLU), cross-entropy; one fixed input batch, cycling random labels.</summary>
    public static Workload Mlp(int inputs, int width, int classes, int batch)
    {
        torch.manual_seed(1234);
        var model = nn.Sequential(
            ("fc1", (nn.Module<Tensor, Tensor>)nn.Linear(inputs, width)),
            ("act1", nn.ReLU()),
            ("fc2", nn.Linear(width, width)),
            ("act2", nn.ReLU()),
            ("head", nn.Linear(width, classes)));
        var x = torch.randn(batch, inputs);
        var y = torch.randint(0, classes, new long[] { TargetSets, batch }, dtype: ScalarType.Int64);
        return new Workload("mlp", $"MLP {inputs}-{width}-{width}-{classes}, ReLU, batch {batch}, cross-entropy, Adam", model, i => nn.functional.cross_entropy(model.call(x), y[i]), new[] { x, y }, 1e-4);
    }

    /// <summary>
    /// Decoder-only transformer: vocabulary 1024, context 32, width 256, 4 heads, feed-forward 1024, 6 blocks;
    /// 5.3M parameters in 102 tensors; batch 8 × 32 tokens; token cross-entropy.
    /// </summary>
    public static Workload TransformerLike(int batch = 8) => Transformer(vocabulary: 1024, context: 32, width: 256, heads: 4, hidden: 1024, depth: 6, batch);

    /// <summary>A decoder-only transformer language model (16 tensors per block); fixed input tokens, cycling random target tokens.</summary>
    public static Workload Transformer(int vocabulary, int context, int width, int heads, int hidden, int depth, int batch)
    {
        torch.manual_seed(4321);
        var model = new TransformerLm(vocabulary, context, width, heads, hidden, depth);
        var input = torch.randint(0, vocabulary, new long[] { batch, context }, dtype: ScalarType.Int64);
        var target = torch.randint(0, vocabulary, new long[] { TargetSets, batch * context }, dtype: ScalarType.Int64);
        return new Workload(
            "transformer",
            $"decoder-only transformer, {depth} blocks, width {width}, {heads} heads, ffn {hidden}, vocab {vocabulary}, batch {batch}x{context} tokens, token cross-entropy, Adam",
            model,
            i => nn.functional.cross_entropy(model.call(input).view(-1, vocabulary), target[i]),
            new[] { input, target },
            1e-4);
    }

    /// <summary>MLP 32 → 64 → 64 → 1 (Tanh), 6.3K parameters in 6 tensors, batch 32, MSE: the soak model.</summary>
    public static Workload Small(int batch = 32)
    {
        torch.manual_seed(99);
        var model = nn.Sequential(
            ("fc1", (nn.Module<Tensor, Tensor>)nn.Linear(32, 64)),
            ("act1", nn.Tanh()),
            ("fc2", nn.Linear(64, 64)),
            ("act2", nn.Tanh()),
            ("head", nn.Linear(64, 1)));
        var x = torch.randn(batch, 32);
        var y = (x[.., 0].sin().unsqueeze(0) + (0.3 * torch.randn(TargetSets, batch))).unsqueeze(2).contiguous();
        return new Workload("small", $"MLP 32-64-64-1, Tanh, batch {batch}, MSE, Adam", model, i => nn.functional.mse_loss(model.call(x), y[i]), new[] { x, y }, 1e-3);
    }

    /// <summary>
    /// Makes this workload an exact copy of <paramref name="other"/> (same architecture): weights and batch.
    /// Seeding alone is not enough where other threads draw from TorchSharp's global generator at the same time.
    /// </summary>
    public void CopyFrom(Workload other)
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            Parameters[i].copy_(other.Parameters[i]);
        }

        for (int i = 0; i < data.Length; i++)
        {
            data[i].copy_(other.data[i]);
        }

        step = other.step;
    }

    /// <summary>Zeroes the gradients, runs forward and backward, and returns the loss (one host read).</summary>
    public double ForwardBackward()
    {
        Optimizer.zero_grad();
        using var scope = torch.NewDisposeScope();
        var l = loss(step);
        step = (step + 1) % TargetSets;
        l.backward();
        return l.item<float>();
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Module.Dispose();
        foreach (var t in data)
        {
            t.Dispose();
        }
    }
}
