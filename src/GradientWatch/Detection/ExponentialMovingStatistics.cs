namespace GradientWatch.Detection;

/// <summary>Exponential moving mean and variance (West's update), as used by ZClip.</summary>
internal struct ExponentialMovingStatistics
{
    private readonly double alpha;

    public ExponentialMovingStatistics(double alpha)
    {
        this.alpha = alpha;
        Mean = 0;
        Variance = 0;
        Count = 0;
    }

    public double Mean { get; private set; }

    public double Variance { get; private set; }

    public long Count { get; private set; }

    public readonly double StandardDeviation => Math.Sqrt(Math.Max(Variance, 0));

    /// <summary>z-score of <paramref name="value"/> against the current mean and standard deviation.</summary>
    public readonly double ZScore(double value)
    {
        double sd = StandardDeviation;
        double floor = Math.Max(1e-12, Math.Abs(Mean) * 1e-6);
        return (value - Mean) / Math.Max(sd, floor);
    }

    /// <summary>Adds an observation. The first observation sets the mean exactly.</summary>
    public void Update(double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        Count++;
        if (Count == 1)
        {
            Mean = value;
            Variance = 0;
            return;
        }

        double delta = value - Mean;
        Mean += (1 - alpha) * delta;
        Variance = alpha * (Variance + ((1 - alpha) * delta * delta));
    }
}
