namespace GradientWatch.ML;

/// <summary>The optimizer a <see cref="GradientWatchCatalog"/> trainer uses.</summary>
public enum TorchOptimizer
{
    /// <summary>Stochastic gradient descent (<c>torch.optim.SGD</c>), with <see cref="TorchModuleTrainerOptions.Momentum"/>.</summary>
    Sgd,

    /// <summary>Adam (<c>torch.optim.Adam</c>); weight decay is added to the gradient (L2 penalty).</summary>
    Adam,

    /// <summary>AdamW (<c>torch.optim.AdamW</c>); weight decay is decoupled from the gradient.</summary>
    AdamW,
}
