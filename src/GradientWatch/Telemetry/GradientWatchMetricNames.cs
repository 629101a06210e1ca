namespace GradientWatch.Telemetry;

/// <summary>
/// Every instrument name, unit and attribute key GradientWatch exports: the one place they are spelled.
/// The names Prometheus shows are listed in docs/metrics.md and checked against a live scrape by the tests.
/// </summary>
/// <remarks>
/// Units follow OpenTelemetry's conventions: <c>1</c> for the two true fractions, curly-brace annotations such as
/// <c>{norm}</c> for dimensionless counts and magnitudes. Neither adds a suffix with the Prometheus exporter
/// 1.20.1-beta.1 (measured), so the names already say what the value is (<c>zero_fraction</c>, <c>update_ratio</c>)
/// and never end in an accidental <c>_ratio</c>. Counters gain <c>_total</c>. A test pins every exported name.
/// </remarks>
internal static class GradientWatchMetricNames
{
    /// <summary>Name of the meter every watcher reports through.</summary>
    public const string MeterName = GradientWatchTelemetry.MeterName;

    // Per layer.
    public const string LayerGradientNorm = "gradientwatch.layer.gradient.norm";
    public const string LayerGradientNormPeak = "gradientwatch.layer.gradient.norm.peak";
    public const string LayerGradientMaxAbs = "gradientwatch.layer.gradient.max_abs";
    public const string LayerGradientZeroFraction = "gradientwatch.layer.gradient.zero_fraction";
    public const string LayerGradientNonFinite = "gradientwatch.layer.gradient.nonfinite";
    public const string LayerWeightNorm = "gradientwatch.layer.weight.norm";
    public const string LayerUpdateRatio = "gradientwatch.layer.update_ratio";
    public const string LayerGradientFloat16Underflow = "gradientwatch.layer.gradient.float16_underflow_fraction";
    public const string LayerGradientBFloat16Underflow = "gradientwatch.layer.gradient.bfloat16_underflow_fraction";
    public const string LayerGradientMagnitude = GradientWatchTelemetry.GradientMagnitudeHistogramName;

    // Whole model.
    public const string GradientNorm = "gradientwatch.gradient.norm";
    public const string GradientNormPeak = "gradientwatch.gradient.norm.peak";
    public const string Loss = "gradientwatch.loss";
    public const string LearningRate = "gradientwatch.learning_rate";
    public const string StepSizeAlpha = "gradientwatch.step_size.alpha";
    public const string Steps = "gradientwatch.steps";
    public const string StepsSkipped = "gradientwatch.steps.skipped";
    public const string Issues = "gradientwatch.issues";
    public const string Remedies = "gradientwatch.remedies";
    public const string StepsSkippedRecent = "gradientwatch.steps.skipped.recent";
    public const string IssuesRecent = "gradientwatch.issues.recent";
    public const string RemediesRecent = "gradientwatch.remedies.recent";

    // Units.
    public const string UnitNorm = "{norm}";
    public const string UnitRatio = "1";
    public const string UnitElement = "{element}";
    public const string UnitLoss = "{loss}";
    public const string UnitLearningRate = "{learning_rate}";
    public const string UnitAlpha = "{alpha}";
    public const string UnitStep = "{step}";
    public const string UnitIssue = "{issue}";
    public const string UnitRemedy = "{remedy}";
    public const string UnitMagnitude = "{magnitude}";

    // Attributes.
    public const string RunId = "run_id";
    public const string Model = "model";
    public const string Layer = "layer";
    public const string LayerIndex = "layer_index";
    public const string Kind = "kind";
    public const string Severity = "severity";
    public const string Remedy = "remedy";

    /// <summary>
    /// Observations each full-statistics step records per exported layer into <see cref="LayerGradientMagnitude"/>: the |g| at
    /// quantiles (i + 0.5) / 100 of the layer's histogram, so every step weighs the same and a bucket's share of
    /// <c>_count</c> is its share of the layer's elements, to 1%.
    /// </summary>
    public const int MagnitudePointsPerStep = 100;

    /// <summary>Bucket boundaries of <see cref="LayerGradientMagnitude"/>: 2^-48, 2^-46, …, 2^8 (29 boundaries, 30 buckets).</summary>
    public static double[] MagnitudeBoundaries() => GradientWatchTelemetry.GradientMagnitudeBucketBoundaries();

    /// <summary>The <see cref="Layer"/> value of the series that aggregates every layer beyond the cap.</summary>
    public const string OtherLayer = "_other";
}
