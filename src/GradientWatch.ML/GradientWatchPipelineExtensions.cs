using System.Runtime.CompilerServices;
using GradientWatch.ML.Watching;
using Microsoft.ML;

namespace GradientWatch.ML;

/// <summary>Watches the gradients of every GradientWatch-aware trainer in an ML.NET pipeline.</summary>
public static class GradientWatchPipelineExtensions
{
    private static readonly ConditionalWeakTable<ITransformer, GradientWatchFitSummary> Summaries = new();

    /// <summary>
    /// Wraps <paramref name="estimator"/> so that its <c>Fit</c> watches every trainer of <see cref="GradientWatchCatalog"/>
    /// with GradientWatch's defaults: every detector on, no remedies, no sinks beyond the summary. Same as
    /// <see cref="WithGradientWatch{TTransformer}(IEstimator{TTransformer}, Action{GradientWatchBuilder}, Action{GradientWatchFitSummary}?)"/>
    /// with a callback that changes nothing.
    /// </summary>
    /// <typeparam name="TTransformer">The transformer type <paramref name="estimator"/> produces.</typeparam>
    /// <param name="estimator">The pipeline or estimator to watch.</param>
    public static IEstimator<TTransformer> WithGradientWatch<TTransformer>(this IEstimator<TTransformer> estimator)
        where TTransformer : class, ITransformer
        => WithGradientWatch(estimator, static _ => { });

    /// <summary>
    /// Wraps <paramref name="estimator"/> (any estimator, including an <c>EstimatorChain</c>) so that its
    /// <c>Fit</c> watches, with the configured detectors, remedies and sinks, every trainer of
    /// <see cref="GradientWatchCatalog"/> that trains during that <c>Fit</c>. The result is an estimator of the same
    /// transformer type, so <c>Append</c> and <c>Fit</c> keep working.
    /// </summary>
    /// <typeparam name="TTransformer">The transformer type <paramref name="estimator"/> produces.</typeparam>
    /// <param name="estimator">The pipeline or estimator to watch.</param>
    /// <param name="configure">Configures detectors, remedies and sinks; validated now.</param>
    /// <param name="onSummary">Called after each successful <c>Fit</c> with what was seen. Its exceptions are not caught.</param>
    /// <remarks>
    /// <c>Fit</c> fails with an <see cref="InvalidOperationException"/> when it ran no trainer GradientWatch can watch,
    /// and with a <see cref="NotSupportedException"/>, before training, when the pipeline holds a Microsoft.ML.TorchSharp
    /// trainer, whose training loop cannot be watched. After <c>Fit</c>, <see cref="GetGradientWatchSummary(ITransformer)"/>
    /// on the returned model gives the same summary as <paramref name="onSummary"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public static IEstimator<TTransformer> WithGradientWatch<TTransformer>(this IEstimator<TTransformer> estimator,
        Action<GradientWatchBuilder> configure, Action<GradientWatchFitSummary>? onSummary = null)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new GradientWatchBuilder();
        configure(builder);
        builder.Validate();
        return new GradientWatchEstimator<TTransformer>(estimator, configure, onSummary);
    }

    /// <summary>
    /// The summary of the <c>Fit</c> that produced <paramref name="model"/> through
    /// <see cref="WithGradientWatch{TTransformer}(IEstimator{TTransformer}, Action{GradientWatchBuilder}, Action{GradientWatchFitSummary}?)"/>,
    /// or null when it was not produced that way.
    /// </summary>
    /// <param name="model">The transformer returned by <c>Fit</c>.</param>
    public static GradientWatchFitSummary? GetGradientWatchSummary(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Summaries.TryGetValue(model, out var summary) ? summary : null;
    }

    internal static void Remember(ITransformer model, GradientWatchFitSummary summary) => Summaries.AddOrUpdate(model, summary);
}
