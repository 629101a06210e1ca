using GradientWatch.Corpus.Runs;

namespace GradientWatch.Corpus.Tests;

/// <summary>Synthetic trajectories for the labeller and scorer tests.</summary>
internal static class Trajectories
{
    /// <summary>A loss falling geometrically from <paramref name="start"/> toward <paramref name="floor"/>.</summary>
    public static double[] Falling(int steps, double start = 1.0, double floor = 0.1)
        => Enumerable.Range(0, steps).Select(i => floor + ((start - floor) * Math.Exp(-i / 20.0))).ToArray();

    public static Trajectory Make(double[] losses, double evalStart, double evalFinal, double[]? movement = null, double[]? dead = null) => new()
    {
        Losses = losses,
        EvalStart = evalStart,
        EvalFinal = evalFinal,
        LayerMovement = movement ?? [0.3, 0.3, 0.5],
        DeadFractions = dead ?? [],
        PlannedSteps = losses.Length,
    };
}
