namespace GradientWatch.Corpus.Runs;

/// <summary>The remedy configurations every corpus run is trained under.</summary>
internal enum RemedyConfig
{
    /// <summary>Detection only (every detector, overshooting included); the run the labels come from.</summary>
    None,

    /// <summary>The README's recommended chain: <c>ClipRelativeNorm().ReduceLearningRate().SkipNonFiniteSteps()</c> (limit 10× the recent median norm, learning rate ×0.1 on divergence).</summary>
    Recommended,

    /// <summary><c>ClipGlobalNorm(1.0)</c> alone.</summary>
    Clip,

    /// <summary>
    /// Measured with <c>--with-alternatives</c>: the chain the README recommended before,
    /// <c>ClipGlobalNorm(1.0).ReduceLearningRate(o =&gt; o.Factor = 0.5).SkipNonFiniteSteps()</c> (0.5 was the default factor).
    /// </summary>
    PreviousRecommended,

    /// <summary>
    /// Measured with <c>--with-alternatives</c>: the previous chain, but clipping only on steps with an Error-severity
    /// exploding issue (<c>ClipGlobalNorm(1.0, o =&gt; o.Trigger = OnIssues(Error, Exploding))</c>).
    /// </summary>
    ClipOnExploding,

    /// <summary>Measured with <c>--with-alternatives</c>: the recommended chain with the previous halving of the learning rate (<c>o.Factor = 0.5</c>).</summary>
    RecommendedWithHalving,

    /// <summary>GradientWatch's defaults exactly (overshooting, which is opt-in, stays off); used by the fix pairs.</summary>
    Defaults,
}
