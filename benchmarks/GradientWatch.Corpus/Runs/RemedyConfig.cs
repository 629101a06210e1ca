namespace GradientWatch.Corpus.Runs;

/// <summary>The remedy configurations every corpus run is trained under.</summary>
internal enum RemedyConfig
{
    /// <summary>Detection only (every detector, overshooting included); the run the labels come from.</summary>
    None,

    /// <summary>The README's recommended chain: <c>ClipGlobalNorm(1.0).ReduceLearningRate().SkipNonFiniteSteps()</c>.</summary>
    Recommended,

    /// <summary><c>ClipGlobalNorm(1.0)</c> alone.</summary>
    Clip,

    /// <summary>
    /// A candidate chain measured with <c>--with-alternatives</c>: the recommended chain, but clipping only on steps with an
    /// Error-severity exploding issue (<c>ClipGlobalNorm(1.0, o =&gt; o.Trigger = OnIssues(Error, Exploding))</c>).
    /// </summary>
    ClipOnExploding,

    /// <summary>GradientWatch's defaults exactly (overshooting, which is opt-in, stays off); used by the fix pairs.</summary>
    Defaults,

    C1, C2, C3, C4, C5, C6, C7, C8,
}
