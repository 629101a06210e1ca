namespace GradientWatch.Corpus.Scoring;

/// <summary>
/// What one remedy configuration did to the failing runs of one failure label: runs labelled <paramref name="Label"/> and
/// no failure label before it (diverged, then recovered after a spike, then dead units), so each failing run counts once.
/// </summary>
/// <param name="Label">The failure label.</param>
/// <param name="Runs">Runs in the group.</param>
/// <param name="NotDiverged">Remedied runs that are not labelled diverged.</param>
/// <param name="AtHealthyBar">
/// Remedied runs that are not diverged and end at least half the way from the start loss to the reference (the healthy
/// bar on the final held-out loss), whatever happened on the way: a remedy that reacts to a blow-up cannot remove the
/// blow-up that triggered it from the trajectory.
/// </param>
/// <param name="LabelledHealthy">Remedied runs labelled healthy by the same rules (no blow-up or spike on the way, no dead units, progress ≥ 0.5).</param>
/// <param name="Lower">Remedied runs whose final held-out loss is lower than without remedies (finite against non-finite counts as lower).</param>
/// <param name="AtHealthyBarWithout">The same as <paramref name="AtHealthyBar"/>, without remedies (how many reached the bar anyway).</param>
internal sealed record FailureRescue(LabelKind Label, int Runs, int NotDiverged, int AtHealthyBar, int LabelledHealthy, int Lower, int AtHealthyBarWithout);
