namespace GradientWatch.Remedies;

/// <summary>
/// The operations remedies may perform on gradients and the optimizer. Implemented over TorchSharp by
/// the watcher, so that remedies themselves stay plain C#.
/// </summary>
internal interface IGradientEditor
{
    /// <summary>Global gradient norm as it is now (after earlier remedies). Reuses the measured norms; recomputed only after an edit that invalidates them.</summary>
    double CurrentGlobalNorm { get; }

    /// <summary>Multiplies every gradient by <paramref name="factor"/> in place.</summary>
    void ScaleAll(double factor);

    /// <summary>Clamps every gradient element to [−limit, limit]; returns the number of elements changed.</summary>
    long ClampValues(double limit);

    /// <summary>Unit-wise adaptive gradient clipping; returns the number of units clipped.</summary>
    long AdaptiveClip(double clipping, double epsilon);

    /// <summary>Adds coefficient·w (L2) or coefficient·sign(w) (L1) to the gradients of the selected layers; returns their names.</summary>
    IReadOnlyList<string> AddPenalty(bool l1, double coefficient, IReadOnlyCollection<string> layerFilter);

    /// <summary>Learning rate of each optimizer parameter group.</summary>
    IReadOnlyList<double> LearningRates { get; }

    /// <summary>Sets the learning rate of every parameter group.</summary>
    void SetLearningRates(IReadOnlyList<double> rates);
}
