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

    /// <summary>True when there are exactly <paramref name="classes"/> values of a supported type, each parseable, and no duplicates.</summary>
    public bool IsValid(int classes)
    {
        if (Values is null || Values.Length != classes || Values.Any(v => v is null) || Values.Distinct(StringComparer.Ordinal).Count() != classes)
        {
            return false;
        }

        NumberStyles n = NumberStyles.Float;
        var c = CultureInfo.InvariantCulture;
        return ItemType switch
        {
            "Text" => true,
            "Single" => Values.All(v => float.TryParse(v, n, c, out _)),
            "Double" => Values.All(v => double.TryParse(v, n, c, out _)),
            "Int32" => Values.All(v => int.TryParse(v, NumberStyles.Integer, c, out _)),
            "Int64" => Values.All(v => long.TryParse(v, NumberStyles.Integer, c, out _)),
            "UInt32" => Values.All(v => uint.TryParse(v, NumberStyles.Integer, c, out _)),
            "Boolean" => Values.All(v => v is "true" or "false"),
            _ => false,
        };
    }

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

    private static LabelKeyValues FromValues<T>(DataViewSchema.Column label, string itemType, Func<T, string> format)
    {
        var values = default(VBuffer<T>);
        label.Annotations.GetValue(AnnotationKinds.KeyValues, ref values);
        var dense = values.DenseValues().Select(format).ToArray();
        return new LabelKeyValues { ItemType = itemType, Values = dense };
    }
}
