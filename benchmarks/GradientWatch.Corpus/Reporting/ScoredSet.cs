using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.Reporting;

/// <summary>A set of runs scored on its own (the tuning corpus, the held-out set, the ML.NET-path runs), with the name RESULTS.md gives it.</summary>
internal sealed record ScoredSet(string Name, IReadOnlyList<CorpusEntry> Entries, CorpusScore Score);
