using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests.Support;

public sealed class RegressionRow
{
    public float X1 { get; set; }

    public float X2 { get; set; }

    public float X3 { get; set; }

    public float Label { get; set; }
}

public sealed class BinaryRow
{
    public float X1 { get; set; }

    public float X2 { get; set; }

    public bool Label { get; set; }
}

public sealed class MulticlassRow
{
    public float X1 { get; set; }

    public float X2 { get; set; }

    public string Label { get; set; } = "";
}

public sealed class VectorRow
{
    [VectorType(3)]
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Label { get; set; }
}

public sealed class VariableVectorRow
{
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Label { get; set; }
}

public sealed class DoubleVectorRow
{
    [VectorType(3)]
    public double[] Features { get; set; } = Array.Empty<double>();

    public float Label { get; set; }
}

public sealed class FloatLabelRow
{
    [VectorType(2)]
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Label { get; set; }
}
