using GradientWatch.Corpus.Runs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>A plain RNN, GRU or LSTM over a window (one value per time step); the last hidden state feeds a linear head.</summary>
internal sealed class RecurrentNet : nn.Module<Tensor, Tensor>
{
    private readonly RNN? rnn;
    private readonly GRU? gru;
    private readonly LSTM? lstm;
    private readonly Linear head;

    public RecurrentNet(int outputs, RunSpec spec)
        : base(nameof(RecurrentNet))
    {
        int layers = Math.Max(1, spec.Depth - 1);
        switch (spec.Architecture)
        {
            case Architecture.Gru:
                gru = nn.GRU(1, spec.Width, layers, batchFirst: true);
                break;
            case Architecture.Lstm:
                lstm = nn.LSTM(1, spec.Width, layers, batchFirst: true);
                break;
            default:
                rnn = nn.RNN(1, spec.Width, layers, spec.Activation == Activation.ReLU ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh, batchFirst: true);
                break;
        }

        head = nn.Linear(spec.Width, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var seq = x.unsqueeze(2);
        Tensor output = gru is not null ? gru.call(seq).Item1 : lstm is not null ? lstm.call(seq).Item1 : rnn!.call(seq).Item1;
        return head.call(output.select(1, -1));
    }
}
