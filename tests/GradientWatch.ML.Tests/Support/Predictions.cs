using System.Globalization;
using System.Text;
using Microsoft.ML;

namespace GradientWatch.ML.Tests.Support;

/// <summary>A task's prediction columns as text, floats by their exact bits, so that two processes can compare them bit for bit.</summary>
public static class Predictions
{
    public static string Bits(IDataView predictions, string task)
    {
        var text = new StringBuilder();
        Append(text, "Score", Columns.Floats(predictions, "Score"));
        if (task == "binary")
        {
            Append(text, "Probability", Columns.Floats(predictions, "Probability"));
        }
        else if (task == "multiclass")
        {
            text.AppendLine("PredictedColor " + string.Join(' ', Columns.Texts(predictions, "PredictedColor")));
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string name, float[] values)
        => text.AppendLine(name + " " + string.Join(' ', values.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture))));
}
