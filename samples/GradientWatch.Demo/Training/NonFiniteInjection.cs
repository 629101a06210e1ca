using static TorchSharp.torch;

namespace GradientWatch.Demo.Training;

/// <summary>
/// A pass-through module that turns one activation into NaN on chosen training forward passes (counted from 1),
/// the way a bad input row, a log of zero or an overflow does in real training. Inference is never touched.
/// </summary>
internal sealed class NonFiniteInjection : nn.Module<Tensor, Tensor>
{
    private readonly HashSet<int> injectAt;
    private int calls;

    public NonFiniteInjection(IEnumerable<int> injectAtCalls)
        : base(nameof(NonFiniteInjection))
    {
        injectAt = injectAtCalls.ToHashSet();
        RegisterComponents();
    }

    /// <summary>Forward passes that were poisoned so far.</summary>
    public int Injected { get; private set; }

    public override Tensor forward(Tensor input)
    {
        if (!training)
        {
            return input.alias();
        }

        calls++;
        if (!injectAt.Contains(calls))
        {
            return input.alias();
        }

        Injected++;
        var mask = zeros_like(input);
        mask[0, 0] = tensor(float.NaN);
        return input + mask;
    }
}
