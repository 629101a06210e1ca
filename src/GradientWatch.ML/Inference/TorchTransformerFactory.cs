using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Inference;

/// <summary>
/// Builds the ML.NET transformer of a trained module: a <c>CustomMapping</c> with the contract
/// <see cref="Contract"/>, whose schema definitions give the configured features column and ML.NET's output
/// columns (Score; Probability and PredictedLabel where the task has them).
/// </summary>
internal static class TorchTransformerFactory
{
    /// <summary>The CustomMapping contract saved in the model; resolved on load by <see cref="TorchModulePlaceholderFactory"/>.</summary>
    public const string Contract = "GradientWatch.TorchModule.v1";

    /// <summary>The environment used for the mappings; the caller's context is not needed for them.</summary>
    private static readonly MLContext Context = new(seed: 0);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ITransformer, TorchModuleModel> Models = new();

    /// <summary>The trained model behind <paramref name="transformer"/>, if it was built here.</summary>
    public static bool TryGetModel(ITransformer transformer, out TorchModuleModel model)
        => Models.TryGetValue(transformer, out model!);

    public static ITransformer Create(TorchModuleModel model)
    {
        var d = model.Descriptor;
        var inputDefinition = SchemaDefinition.Create(typeof(TorchFeaturesRow), SchemaDefinition.Direction.Read);
        inputDefinition[nameof(TorchFeaturesRow.Features)].ColumnName = d.FeatureColumnName;
        inputDefinition[d.FeatureColumnName].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d.FeatureCount);
        var empty = Context.Data.LoadFromEnumerable(Array.Empty<TorchFeaturesRow>(), inputDefinition);

        ITransformer transformer = d.Task switch
        {
            TorchModuleTask.Regression => Regression(model, inputDefinition, empty),
            TorchModuleTask.BinaryClassification => Binary(model, inputDefinition, empty),
            TorchModuleTask.MulticlassClassification => Multiclass(model, inputDefinition, empty),
            _ => throw new InvalidOperationException($"Unknown task {d.Task}."),
        };
        Models.AddOrUpdate(transformer, model);
        return transformer;
    }

    /// <summary>The output columns a trainer for <paramref name="task"/> adds, for <c>GetOutputSchema</c>.</summary>
    public static SchemaShape GetOutputSchema(TorchModuleTask task, string featureColumnName, string labelColumnName, SchemaShape inputSchema)
    {
        var inputDefinition = SchemaDefinition.Create(typeof(TorchFeaturesRow), SchemaDefinition.Direction.Read);
        inputDefinition[nameof(TorchFeaturesRow.Features)].ColumnName = featureColumnName;
        return task switch
        {
            TorchModuleTask.Regression => Context.Transforms.CustomMapping<TorchFeaturesRow, RegressionScoreRow>((_, _) => { }, Contract, inputDefinition).GetOutputSchema(inputSchema),
            TorchModuleTask.BinaryClassification => Context.Transforms.CustomMapping<TorchFeaturesRow, BinaryScoreRow>((_, _) => { }, Contract, inputDefinition).GetOutputSchema(inputSchema),
            _ => Context.Transforms.CustomMapping<TorchFeaturesRow, MulticlassScoreRow>((_, _) => { }, Contract, inputDefinition, MulticlassDefinition(2, LabelKeyValuesShape(inputSchema, labelColumnName))).GetOutputSchema(inputSchema),
        };
    }

    private static LabelKeyValues? LabelKeyValuesShape(SchemaShape inputSchema, string labelColumnName)
    {
        foreach (var column in inputSchema)
        {
            if (column.Name != labelColumnName)
            {
                continue;
            }

            foreach (var annotation in column.Annotations)
            {
                if (annotation.Name == AnnotationKinds.KeyValues)
                {
                    return LabelKeyValues.Placeholder(annotation.ItemType);
                }
            }
        }

        return null;
    }

    private static ITransformer Regression(TorchModuleModel model, SchemaDefinition input, IDataView empty)
    {
        var estimator = Context.Transforms.CustomMapping<TorchFeaturesRow, RegressionScoreRow>(
            (src, dst) =>
            {
                Span<float> y = stackalloc float[1];
                model.Predict(src.Features, y);
                dst.Score = y[0];
            },
            Contract,
            input);
        return estimator.Fit(empty);
    }

    private static ITransformer Binary(TorchModuleModel model, SchemaDefinition input, IDataView empty)
    {
        var estimator = Context.Transforms.CustomMapping<TorchFeaturesRow, BinaryScoreRow>(
            (src, dst) =>
            {
                Span<float> y = stackalloc float[1];
                model.Predict(src.Features, y);
                float logit = y[0];
                dst.Score = logit;
                dst.Probability = 1f / (1f + MathF.Exp(-logit));
                dst.PredictedLabel = logit > 0;
            },
            Contract,
            input);
        return estimator.Fit(empty);
    }

    private static ITransformer Multiclass(TorchModuleModel model, SchemaDefinition input, IDataView empty)
    {
        int k = model.Descriptor.ClassCount;
        var estimator = Context.Transforms.CustomMapping<TorchFeaturesRow, MulticlassScoreRow>(
            (src, dst) =>
            {
                var editor = VBufferEditor.Create(ref dst.Score, k);
                var scores = editor.Values;
                model.Predict(src.Features, scores);
                Softmax(scores);
                int best = 0;
                for (int i = 1; i < scores.Length; i++)
                {
                    if (scores[i] > scores[best])
                    {
                        best = i;
                    }
                }

                dst.Score = editor.Commit();
                // ML.NET stores key fields of user classes 0-based: 0 here is the first class (raw key 1).
                dst.PredictedLabel = (uint)best;
            },
            Contract,
            input,
            MulticlassDefinition(k, model.Descriptor.LabelKeyValues));
        return estimator.Fit(empty);
    }

    private static SchemaDefinition MulticlassDefinition(int classes, LabelKeyValues? keyValues)
    {
        var output = SchemaDefinition.Create(typeof(MulticlassScoreRow), SchemaDefinition.Direction.Write);
        var score = output[nameof(MulticlassScoreRow.Score)];
        var predicted = output[nameof(MulticlassScoreRow.PredictedLabel)];
        score.ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        predicted.ColumnType = new KeyDataViewType(typeof(uint), classes);
        keyValues?.Annotate(predicted, score);
        return output;
    }

    private static void Softmax(Span<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (float v in values)
        {
            max = Math.Max(max, v);
        }

        float sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Exp(values[i] - max);
            sum += values[i];
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] /= sum;
        }
    }
}
