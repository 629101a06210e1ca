namespace GradientWatch.Demo.Training;

/// <summary>The optimizers the demo's runs use.</summary>
internal enum DemoOptimizer
{
    /// <summary>Stochastic gradient descent, with optional momentum.</summary>
    Sgd,

    /// <summary>Adam.</summary>
    Adam,
}
