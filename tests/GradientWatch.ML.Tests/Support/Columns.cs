using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests.Support;

/// <summary>Reads a float or float-vector column into one flat array.</summary>
public static class Columns
{
    public static float[] Floats(IDataView data, string column)
    {
        var col = data.Schema[column];
        var result = new List<float>();
        using var cursor = data.GetRowCursor(new[] { col });
        if (col.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(col);
            var value = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getter(ref value);
                result.AddRange(value.DenseValues());
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(col);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                result.Add(value);
            }
        }

        return result.ToArray();
    }

    public static string[] Texts(IDataView data, string column)
    {
        var col = data.Schema[column];
        var result = new List<string>();
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(col);
        var value = default(ReadOnlyMemory<char>);
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.ToString());
        }

        return result.ToArray();
    }
}
