namespace GradientWatch.Demo.Training;

/// <summary>One row of the generated data, as ML.NET reads it (the vector size is set by <see cref="DemoDataView"/>).</summary>
internal sealed class DemoRow
{
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Label { get; set; }
}
