using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Inference;

/// <summary>
/// Builds the ML.NET transformer chain that predicts with a trained module, made only of ML.NET's own transformers,
/// so that ML.NET's <c>ml.Model.Save</c> writes it and <c>ml.Model.Load</c> reads it back with no help:
/// <list type="number">
/// <item><c>CopyColumns</c>: the features column to a private name (a loaded custom mapping reads fixed names);</item>
/// <item><c>CustomMapping</c> (<see cref="ModelKeyFactory"/>): a constant key column;</item>
/// <item><c>MapValue</c>: key → the stored module (<see cref="Persistence.ModelBlob"/>: descriptor and weights as
/// text; a chain in memory holds <see cref="CarrierColumns.LiveMarker"/> and its weights are written only on save);</item>
/// <item><c>CustomMapping</c> (regression, binary or multiclass factory): features and stored module → ML.NET's score columns;</item>
/// <item>multiclass only: <c>Concatenate</c> of the first k slot columns → <c>Score</c> (a vector of known size k), and
/// <c>MapValue</c> of the arg-max index → <c>PredictedLabel</c>, a key with the label's key values;</item>
/// <item><c>DropColumns</c>: every private column.</item>
/// </list>
/// </summary>
internal static class TorchModuleChain
{
    /// <summary>The environment used to build the chains; the caller's context is not needed for them.</summary>
    private static readonly MLContext Context = new(seed: 0);

    /// <summary>The chain for <paramref name="model"/>; <paramref name="stored"/> is the module's stored form, or null for a chain that predicts with the module in memory.</summary>
    public static TransformerChain<ITransformer> Build(TorchModuleModel model, string? stored)
        => new(Leaves(Estimator(model.Descriptor, _ => model, stored ?? CarrierColumns.LiveMarker).Fit(EmptyInput(model.Descriptor))).ToArray());

    /// <summary>The transformers of a fitted (possibly nested) chain in order, so the saved chain is one flat list.</summary>
    private static IEnumerable<ITransformer> Leaves(ITransformer transformer)
        => transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Leaves) : [transformer];

    /// <summary>What the chain adds, for the trainer's <c>GetOutputSchema</c>: the same chain over a stand-in module.</summary>
    public static SchemaShape GetOutputSchema(TorchModuleTask task, string featureColumnName, int classes, LabelKeyValues? keyValues, SchemaShape inputSchema)
    {
        var d = new TorchModuleDescriptor { Task = task, FeatureColumnName = featureColumnName, ClassCount = classes, LabelKeyValues = keyValues, FeatureCount = 1 };
        return Estimator(d, _ => throw new InvalidOperationException("Schema propagation runs no rows."), CarrierColumns.LiveMarker).GetOutputSchema(inputSchema);
    }

    private static IEstimator<ITransformer> Estimator(TorchModuleDescriptor d, Func<ReadOnlyMemory<char>, TorchModuleModel> resolve, string stored)
    {
        IEstimator<ITransformer> chain = Context.Transforms.CopyColumns(CarrierColumns.Features, d.FeatureColumnName)
            .Append(Context.Transforms.CustomMapping<EmptyRow, ModelKeyRow>(ModelKeyFactory.Map, CarrierColumns.KeyContract))
            .Append(Context.Transforms.Conversion.MapValue(CarrierColumns.Model, new[] { new KeyValuePair<uint, string>(1, stored) }, CarrierColumns.Key));
        chain = d.Task switch
        {
            TorchModuleTask.Regression => chain.Append(Context.Transforms.CustomMapping(TorchModuleMappings.Regression(resolve), CarrierColumns.RegressionContract)),
            TorchModuleTask.BinaryClassification => chain.Append(Context.Transforms.CustomMapping(TorchModuleMappings.Binary(resolve), CarrierColumns.BinaryContract)),
            _ => chain.Append(Context.Transforms.CustomMapping(TorchModuleMappings.Multiclass(resolve), CarrierColumns.MulticlassContract))
                .Append(Context.Transforms.Concatenate("Score", Enumerable.Range(0, d.ClassCount).Select(CarrierColumns.Score).ToArray()))
                .Append(PredictedLabel(d)),
        };
        return chain.Append(Context.Transforms.DropColumns(CarrierColumns.All(d.Task)));
    }

    private static IEstimator<ITransformer> PredictedLabel(TorchModuleDescriptor d)
    {
        var keys = d.LabelKeyValues ?? new LabelKeyValues
        {
            ItemType = "UInt32",
            Values = Enumerable.Range(0, d.ClassCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
        };
        var c = CultureInfo.InvariantCulture;
        return keys.ItemType switch
        {
            "Text" => Map(keys.Values),
            "Single" => Map(keys.Values.Select(v => float.Parse(v, c))),
            "Double" => Map(keys.Values.Select(v => double.Parse(v, c))),
            "Int32" => Map(keys.Values.Select(v => int.Parse(v, c))),
            "Int64" => Map(keys.Values.Select(v => long.Parse(v, c))),
            "Boolean" => Map(keys.Values.Select(v => v == "true")),
            _ => Map(keys.Values.Select(v => uint.Parse(v, c))),
        };
    }

    private static IEstimator<ITransformer> Map<T>(IEnumerable<T> values)
        => Context.Transforms.Conversion.MapValue(
            "PredictedLabel",
            values.Select((v, i) => new KeyValuePair<uint, T>((uint)i, v)),
            CarrierColumns.PredictedIndex,
            treatValuesAsKeyType: true);

    private static IDataView EmptyInput(TorchModuleDescriptor d)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(d.FeatureColumnName, new VectorDataViewType(NumberDataViewType.Single, d.FeatureCount));
        return new EmptyDataView(builder.ToSchema());
    }

    /// <summary>An IDataView with a schema and no rows, to fit the chain's estimators (none of them learns from data).</summary>
    private sealed class EmptyDataView(DataViewSchema schema) : IDataView
    {
        public bool CanShuffle => true;

        public DataViewSchema Schema { get; } = schema;

        public long? GetRowCount() => 0;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(Schema);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(Schema)];

        private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
        {
            public override DataViewSchema Schema { get; } = schema;

            public override long Position => -1;

            public override long Batch => 0;

            public override bool MoveNext() => false;

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => throw new InvalidOperationException("The cursor has no rows.");

            public override ValueGetter<DataViewRowId> GetIdGetter() => throw new InvalidOperationException("The cursor has no rows.");

            public override bool IsColumnActive(DataViewSchema.Column column) => true;
        }
    }
}
