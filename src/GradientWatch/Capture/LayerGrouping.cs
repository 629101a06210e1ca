namespace GradientWatch;

/// <summary>How parameters are grouped into the layers GradientWatch reports.</summary>
public enum LayerGrouping
{
    /// <summary>One layer per module that owns parameters, named by its module path (for example <c>encoder.2.fc1</c>). The default.</summary>
    OwningModule = 0,

    /// <summary>One layer per parameter tensor, named by its full parameter name (for example <c>encoder.2.fc1.weight</c>).</summary>
    Parameter = 1,

    /// <summary>
    /// One layer per module path truncated to <see cref="GradientWatchOptions.GroupingDepth"/> segments
    /// (for example depth 2 groups <c>encoder.2.fc1</c> and <c>encoder.2.fc2</c> into <c>encoder.2</c>).
    /// </summary>
    ModulePathDepth = 2,
}
