using GradientWatch.ML.Inference;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML;

/// <summary>
/// The transformer a <see cref="GradientWatchCatalog"/> trainer returns: ML.NET's prediction-transformer contract
/// (<see cref="ISingleFeaturePredictionTransformer{TModel}"/>), so <c>Evaluate</c>, permutation feature importance
/// (<c>ml.Regression.PermutationFeatureImportance(transformer, data)</c> and the binary and multiclass ones) and
/// <see cref="Model"/> work as with ML.NET's own trainers.
/// </summary>
/// <remarks>
/// <para>Columns added, as ML.NET's trainers add them: regression <c>Score</c>; binary classification <c>Score</c> (the
/// logit), <c>Probability</c> (its sigmoid) and <c>PredictedLabel</c>; multiclass classification <c>Score</c> (softmax
/// probabilities, one slot per class) and <c>PredictedLabel</c> (a key with the label's key values).</para>
/// <para>Saving: ML.NET's own <c>ml.Model.Save</c> writes the module's weights into the model file, and
/// <c>ml.Model.Load</c> in any process restores it, with no registration: the transformer saves itself as a chain of
/// ML.NET's own transformers that carries the weights. After a plain <c>ml.Model.Load</c> that chain stands in place of
/// this type (it predicts the same, bit for bit); <c>ml.Model.LoadWithTorchModules</c> gives this type back.</para>
/// </remarks>
public sealed class TorchModulePredictionTransformer : ISingleFeaturePredictionTransformer<TorchModuleParameters>
{
    private readonly TorchModuleModel model;
    private readonly TransformerChain<ITransformer> chain;

    internal TorchModulePredictionTransformer(TorchModuleModel model)
    {
        this.model = model;
        chain = TorchModuleChain.Build(model, stored: null);
        Model = new TorchModuleParameters(model);
        FeatureColumnType = new VectorDataViewType(NumberDataViewType.Single, model.Descriptor.FeatureCount);
    }

    /// <summary>The trained module and its sizes.</summary>
    public TorchModuleParameters Model { get; }

    /// <summary>The features column the module reads.</summary>
    public string FeatureColumnName => model.Descriptor.FeatureColumnName;

    /// <summary>The features column's type: a vector of <see cref="float"/> of the trained size.</summary>
    public DataViewType FeatureColumnType { get; }

    /// <summary>Always true: the transformer maps rows one to one.</summary>
    public bool IsRowToRowMapper => true;

    internal TorchModuleModel TrainedModel => model;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => chain.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)chain).GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => chain.Transform(input);

    /// <summary>Saves the transformer, with the module's current weights, as a chain of ML.NET's own transformers.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)TorchModuleChain.Build(model, model.Encode())).Save(ctx);
}
