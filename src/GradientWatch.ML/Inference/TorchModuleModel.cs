using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.ML.Inference;

/// <summary>
/// A trained module ready to predict one row at a time, plus what is needed to save it. Predictions are serialized by
/// a lock, because ML.NET may read several cursors of a transformed view at once and the module reuses one input tensor.
/// </summary>
internal sealed class TorchModuleModel
{
    private readonly object gate = new();
    private readonly nn.Module<Tensor, Tensor> module;
    private readonly Device device;
    private readonly float[] dense;
    private readonly float[] output;
    private Tensor? input;

    public TorchModuleModel(TorchModuleDescriptor descriptor, nn.Module<Tensor, Tensor> module, Device device)
    {
        Descriptor = descriptor;
        this.module = module;
        this.device = device;
        dense = new float[descriptor.FeatureCount];
        output = new float[descriptor.ClassCount];
        module.eval();
    }

    public TorchModuleDescriptor Descriptor { get; }

    /// <summary>The trained module.</summary>
    public nn.Module<Tensor, Tensor> Module => module;

    /// <summary>The module, descriptor and weights as the text a saved model carries (<see cref="Persistence.ModelBlob"/>); reflects the weights as they are now.</summary>
    public string Encode()
    {
        lock (gate)
        {
            return Persistence.ModelBlob.Encode(Descriptor, Persistence.ModuleWeights.Save(module));
        }
    }

    /// <summary>Runs the module on one row; <paramref name="result"/> receives <see cref="TorchModuleDescriptor.ClassCount"/> values.</summary>
    public void Predict(in VBuffer<float> features, Span<float> result)
    {
        if (features.Length != dense.Length)
        {
            throw new InvalidOperationException(
                $"The column '{Descriptor.FeatureColumnName}' has {features.Length} values in this row, but the module was trained on {dense.Length} features.");
        }

        lock (gate)
        {
            Densify(features, dense);
            input ??= torch.empty(new long[] { 1, dense.Length }, ScalarType.Float32);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            input.data<float>().CopyFrom(dense, 0, 0);
            var x = device.type == DeviceType.CPU ? input : input.to(device);
            var y = module.call(x);
            if (y.numel() != output.Length)
            {
                throw new InvalidOperationException(
                    $"The module '{Descriptor.ModuleName}' returned shape [{string.Join(", ", y.shape)}] for one row; expected {output.Length} value(s).");
            }

            y = y.to_type(ScalarType.Float32).cpu().contiguous();
            y.data<float>().CopyTo(output, 0, 0);
            output.CopyTo(result);
        }
    }

    private static void Densify(in VBuffer<float> features, float[] destination)
    {
        var values = features.GetValues();
        if (features.IsDense)
        {
            values.CopyTo(destination);
            return;
        }

        Array.Clear(destination);
        var indices = features.GetIndices();
        for (int i = 0; i < indices.Length; i++)
        {
            destination[indices[i]] = values[i];
        }
    }
}
