using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Inference;

/// <summary>
/// The key values of a multiclass label column, kept as invariant strings plus their ML.NET type so that the predicted
/// label can carry the same <c>KeyValues</c> annotation after a save and load. Supports text and the common numeric types.
/// </summary>
internal sealed class LabelKeyValues
{
    public string ItemType { get; set; } = "";

    public string[] Values { get; set; } = Array.Empty<string>();

    /// <summary>Reads the label column's key values, or returns null when it has none of a supported type.</summary>
    public static LabelKeyValues? Read(DataViewSchema.Column label)
    {
        var column = label.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
        if (column is null || column.Value.Type is not VectorDataViewType { ItemType: var item })
        {
            return null;
        }

        return item.RawType switch
        {
            Type t when t == typeof(ReadOnlyMemory<char>) => FromValues(label, "Text", (ReadOnlyMemory<char> v) => v.ToString()),
            Type t when t == typeof(float) => FromValues(label, "Single", (float v) => v.ToString("R", CultureInfo.InvariantCulture)),
            Type t when t == typeof(double) => FromValues(label, "Double", (double v) => v.ToString("R", CultureInfo.InvariantCulture)),
            Type t when t == typeof(int) => FromValues(label, "Int32", (int v) => v.ToString(CultureInfo.InvariantCulture)),
            Type t when t == typeof(long) => FromValues(label, "Int64", (long v) => v.ToString(CultureInfo.InvariantCulture)),
            Type t when t == typeof(uint) => FromValues(label, "UInt32", (uint v) => v.ToString(CultureInfo.InvariantCulture)),
            Type t when t == typeof(bool) => FromValues(label, "Boolean", (bool v) => v ? "true" : "false"),
            _ => null,
        };
    }

    /// <summary>Two stand-in key values of the label's key value type, for schema propagation (<c>GetOutputSchema</c>), or null when unsupported.</summary>
    public static LabelKeyValues? Placeholder(DataViewType itemType)
    {
        string? name = itemType.RawType switch
        {
            Type t when t == typeof(ReadOnlyMemory<char>) => "Text",
            Type t when t == typeof(float) => "Single",
            Type t when t == typeof(double) => "Double",
            Type t when t == typeof(int) => "Int32",
            Type t when t == typeof(long) => "Int64",
            Type t when t == typeof(uint) => "UInt32",
            Type t when t == typeof(bool) => "Boolean",
            _ => null,
        };
        return name is null ? null : new LabelKeyValues { ItemType = name, Values = name == "Boolean" ? ["false", "true"] : ["0", "1"] };
    }

    /// <summary>Adds the <c>KeyValues</c> annotation to <paramref name="predictedLabel"/> and, for text, <c>SlotNames</c> to <paramref name="score"/>.</summary>
    public void Annotate(SchemaDefinition.Column predictedLabel, SchemaDefinition.Column score)
    {
        int n = Values.Length;
        switch (ItemType)
        {
            case "Text":
                var text = new VBuffer<ReadOnlyMemory<char>>(n, Values.Select(v => v.AsMemory()).ToArray());
                var textType = new VectorDataViewType(TextDataViewType.Instance, n);
                predictedLabel.AddAnnotation(AnnotationKinds.KeyValues, text, textType);
                score.AddAnnotation(AnnotationKinds.SlotNames, text, textType);
                break;
            case "Single":
                Add(predictedLabel, NumberDataViewType.Single, Values.Select(v => float.Parse(v, CultureInfo.InvariantCulture)));
                break;
            case "Double":
                Add(predictedLabel, NumberDataViewType.Double, Values.Select(v => double.Parse(v, CultureInfo.InvariantCulture)));
                break;
            case "Int32":
                Add(predictedLabel, NumberDataViewType.Int32, Values.Select(v => int.Parse(v, CultureInfo.InvariantCulture)));
                break;
            case "Int64":
                Add(predictedLabel, NumberDataViewType.Int64, Values.Select(v => long.Parse(v, CultureInfo.InvariantCulture)));
                break;
            case "UInt32":
                Add(predictedLabel, NumberDataViewType.UInt32, Values.Select(v => uint.Parse(v, CultureInfo.InvariantCulture)));
                break;
            case "Boolean":
                Add(predictedLabel, BooleanDataViewType.Instance, Values.Select(v => v == "true"));
                break;
        }
    }

    private static void Add<T>(SchemaDefinition.Column column, PrimitiveDataViewType type, IEnumerable<T> values)
    {
        var array = values.ToArray();
        column.AddAnnotation(AnnotationKinds.KeyValues, new VBuffer<T>(array.Length, array), new VectorDataViewType(type, array.Length));
    }

    private static LabelKeyValues FromValues<T>(DataViewSchema.Column label, string itemType, Func<T, string> format)
    {
        var values = default(VBuffer<T>);
        label.Annotations.GetValue(AnnotationKinds.KeyValues, ref values);
        var dense = values.DenseValues().Select(format).ToArray();
        return new LabelKeyValues { ItemType = itemType, Values = dense };
    }
}
