
// A stand-in for Microsoft.ML.TorchSharp's TextClassificationTrainer: same namespace and name, no package reference.
namespace Microsoft.ML.TorchSharp.NasBert;

public sealed class TextClassificationTrainer : IEstimator<ITransformer>
{
    public bool Fitted { get; private set; }

    public ITransformer Fit(IDataView input)
    {
        Fitted = true;
        throw new InvalidOperationException("Tensor invalid -- empty handle.");
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;
}
