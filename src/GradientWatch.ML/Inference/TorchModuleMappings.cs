namespace GradientWatch.ML.Inference;

/// <summary>
/// The row mappings of a trained module, shared by a model in memory (the module is at hand) and a loaded one (the
/// module is rebuilt from the stored weights on the first row): the <c>resolve</c> argument gives the module for a row.
/// </summary>
internal static class TorchModuleMappings
{
    public static Action<CarrierInput, RegressionScoreRow> Regression(Func<ReadOnlyMemory<char>, TorchModuleModel> resolve)
        => (src, dst) =>
        {
            Span<float> y = stackalloc float[1];
            resolve(src.Model).Predict(src.Features, y);
            dst.Score = y[0];
        };

    public static Action<CarrierInput, BinaryScoreRow> Binary(Func<ReadOnlyMemory<char>, TorchModuleModel> resolve)
        => (src, dst) =>
        {
            Span<float> y = stackalloc float[1];
            resolve(src.Model).Predict(src.Features, y);
            float logit = y[0];
            dst.Score = logit;
            dst.Probability = 1f / (1f + MathF.Exp(-logit));
            dst.PredictedLabel = logit > 0;
        };

    public static Action<CarrierInput, MulticlassSlotsRow> Multiclass(Func<ReadOnlyMemory<char>, TorchModuleModel> resolve)
        => (src, dst) =>
        {
            var model = resolve(src.Model);
            Span<float> scores = stackalloc float[model.Descriptor.ClassCount];
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

            dst.Set(scores);
            dst.PredictedIndex = (uint)best;
        };

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
