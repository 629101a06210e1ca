using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.Demo.Training;

/// <summary>Turns a <see cref="DemoDataSet"/> into an ML.NET <see cref="IDataView"/> with a known-size <c>Features</c> vector and a <c>Label</c>.</summary>
internal static class DemoDataView
{
    public static IDataView Load(MLContext ml, DemoDataSet data)
    {
        var schema = SchemaDefinition.Create(typeof(DemoRow));
        schema[nameof(DemoRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.FeatureCount);
        var rows = Enumerable.Range(0, data.Rows).Select(i => new DemoRow { Features = data.Features[i], Label = data.Labels[i] }).ToArray();
        return ml.Data.LoadFromEnumerable(rows, schema);
    }
}
