namespace GradientWatch.Corpus.Runs;

/// <summary>One of the eight fixes: a pathological run, the same run with the fix applied, and the words its advice should contain.</summary>
internal sealed record FixPair(int Number, string Fix, string Problem, RunSpec Pathological, RunSpec Fixed, string AdviceKeyword);
