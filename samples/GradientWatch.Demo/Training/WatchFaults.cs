using static TorchSharp.torch;

namespace GradientWatch.Demo.Training;

/// <summary>
/// A pass-through module that stages the watch scenario's faults on chosen training forward passes (counted from 1):
/// a surge that multiplies the activations by a gain for a range of passes (as a broken feature or an unnormalized
/// data source would, making the gradients explode), and single passes where one activation turns NaN.
/// Inference is never touched.
/// </summary>
internal sealed class WatchFaults : nn.Module<Tensor, Tensor>
{
    private readonly int surgeFrom;
    private readonly int surgeTo;
    private readonly double gain;
    private readonly HashSet<int> nanAt;
    private int calls;

    /// <param name="surgeFrom">First pass of the surge.</param>
    /// <param name="surgeTo">Pass after the last one of the surge.</param>
    /// <param name="gain">Factor the activations are multiplied by during the surge.</param>
    /// <param name="nanAt">Passes where one activation turns NaN.</param>
    public WatchFaults(int surgeFrom, int surgeTo, double gain, IEnumerable<int> nanAt)
        : base(nameof(WatchFaults))
    {
        this.surgeFrom = surgeFrom;
        this.surgeTo = surgeTo;
        this.gain = gain;
        this.nanAt = nanAt.ToHashSet();
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        if (!training)
        {
            return input.alias();
        }

        calls++;
        if (nanAt.Contains(calls))
        {
            var mask = zeros_like(input);
            mask[0, 0] = tensor(float.NaN);
            return input + mask;
        }

        return calls >= surgeFrom && calls < surgeTo ? input * gain : input.alias();
    }
}
