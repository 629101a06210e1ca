using GradientWatch.Corpus.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.Corpus.MlNet;

/// <summary>A corpus dataset as an ML.NET <see cref="IDataView"/>: a <c>Features</c> vector and a <c>Label</c> (float; class index for classification).</summary>
public sealed class MlNetRows
{
    public float[] Features { get; set; } = [];

    public float Label { get; set; }

    internal static IDataView Load(MLContext ml, Dataset data)
    {
        var rows = Enumerable.Range(0, data.Rows)
            .Select(i => new MlNetRows { Features = data.X.AsSpan(i * data.Features, data.Features).ToArray(), Label = data.Y[i * data.TargetsPerRow] })
            .ToList();
        var schema = SchemaDefinition.Create(typeof(MlNetRows));
        schema[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Features);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }
}
