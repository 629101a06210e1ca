namespace GradientWatch.Corpus.Runs;

/// <summary>
/// One published held-out draw: the name RESULTS.md gives it, the generator seed, the training-seed range
/// [<paramref name="FirstSeed"/>, <paramref name="EndSeed"/>) (disjoint from the tuning corpus and from every other draw),
/// the family its runs carry, and its status (whether it was looked at to decide a change).
/// </summary>
internal sealed record HeldOutDraw(string Name, int GeneratorSeed, int FirstSeed, int EndSeed, string Family, string Status);
