using GradientWatch.ML.Training;
using Microsoft.ML;

namespace GradientWatch.ML.Watching;

/// <summary>
/// The estimator returned by <c>WithGradientWatch</c>. Modelled on ML.NET's <c>WithOnFitDelegate</c> wrapper: it
/// delegates to the inner estimator, and during <see cref="Fit"/> makes the GradientWatch configuration ambient, so
/// that every GradientWatch-aware trainer that trains inside the inner <c>Fit</c> attaches a watcher.
/// </summary>
internal sealed class GradientWatchEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : class, ITransformer
{
    private readonly IEstimator<TTransformer> inner;
    private readonly Action<GradientWatchBuilder> configure;
    private readonly Action<GradientWatchFitSummary>? onSummary;

    public GradientWatchEstimator(IEstimator<TTransformer> inner, Action<GradientWatchBuilder> configure, Action<GradientWatchFitSummary>? onSummary)
    {
        this.inner = inner;
        this.configure = configure;
        this.onSummary = onSummary;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);

    public TTransformer Fit(IDataView input)
    {
        var found = EstimatorInspector.Inspect(inner);
        if (found.UpstreamTorchSharp.Count > 0)
        {
            throw new NotSupportedException(UpstreamMessage(found.UpstreamTorchSharp));
        }

        var context = new GradientWatchFitContext(configure);
        TTransformer model;
        using (GradientWatchFitContext.Enter(context))
        {
            model = inner.Fit(input);
        }

        var runs = context.Runs;
        if (runs.Count == 0)
        {
            throw new InvalidOperationException(
                "WithGradientWatch: Fit ran no trainer that GradientWatch can watch, so nothing was watched. " +
                "GradientWatch watches the trainers of GradientWatch.ML (ml.Regression.Trainers.TorchModule, ml.BinaryClassification.Trainers.TorchModule, " +
                "ml.MulticlassClassification.Trainers.TorchModule); ML.NET's other trainers have no gradients to watch or no way in. " +
                $"The pipeline holds: {Describe(found.All)}.");
        }

        var summary = new GradientWatchFitSummary(runs);
        GradientWatchPipelineExtensions.Remember(model, summary);
        onSummary?.Invoke(summary);
        return model;
    }

    private static string UpstreamMessage(IReadOnlyList<Type> trainers)
        => $"WithGradientWatch cannot watch {string.Join(", ", trainers.Select(t => t.Name).Distinct())} from Microsoft.ML.TorchSharp. " +
           "Those trainers (TextClassification, SentenceSimilarity, NER, QA, ObjectDetection) do not work with TorchSharp 0.107, which GradientWatch uses: " +
           "their weight initialization disposes the live weight tensors (Fit fails with \"Tensor invalid -- empty handle\"), ObjectDetection calls an " +
           "interpolate overload that 0.107 removed, and they download pretrained weights at Fit time. Their training loop is also internal, with no " +
           "callback or hook for GradientWatch to attach to. Train your own TorchSharp module with ml.<Task>.Trainers.TorchModule(...) from GradientWatch.ML " +
           "instead; it is watched automatically inside WithGradientWatch.";

    private static string Describe(IReadOnlyList<Type> estimators)
        => estimators.Count == 0 ? "no estimator GradientWatch could identify" : string.Join(", ", estimators.Select(t => t.Name).Distinct());
}
