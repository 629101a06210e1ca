using System.Globalization;
using System.Text;

namespace GradientWatch.Detection;

/// <summary>
/// Short, specific advice for a persisting issue, drawn from the known fixes for exploding and vanishing
/// gradients and based on what the model actually contains.
/// </summary>
internal static class AdviceBuilder
{
    /// <summary>Networks at least this deep without residual paths get the "shorter or residual" advice.</summary>
    internal const int DeepNetworkLayers = 8;

    public static string? For(DetectedIssue issue, ModelProfile model, StepSnapshot snapshot, IReadOnlyCollection<string> configuredRemedies)
    {
        var tips = new List<string>();
        int saturating = model.SigmoidCount + model.TanhCount;
        string lr = snapshot.LearningRates.Count > 0 ? snapshot.LearningRates[0].ToString("G3", CultureInfo.InvariantCulture) : "?";
        bool deep = model.ParameterizedLayers >= DeepNetworkLayers;
        bool noResidual = model.ResidualHints == 0;
        switch (issue.Kind)
        {
            case GradientIssueKind.Vanishing:
                if (saturating > 0)
                {
                    tips.Add($"{Activations(model)} and {(model.NormalizationCount == 0 ? "no normalization" : $"{model.NormalizationCount} normalization layer(s)")}: consider ReLU-family activations (ReLU, GELU, LeakyReLU){(model.NormalizationCount == 0 ? " or LayerNorm/BatchNorm" : string.Empty)}");
                }
                else if (model.NormalizationCount == 0)
                {
                    tips.Add("no normalization layers: consider LayerNorm/BatchNorm between layers");
                }

                if (deep && noResidual)
                {
                    tips.Add($"{model.ParameterizedLayers} layers deep with no residual paths: use a shorter network or add residual/skip connections");
                }

                if (model.PlainRnnCount > 0)
                {
                    tips.Add("plain RNN: use LSTM or GRU, or truncate the context window (shorter backpropagation through time)");
                }

                if (tips.Count == 0)
                {
                    tips.Add("check the initialization (Kaiming for ReLU, Xavier for tanh) and consider a larger learning rate for the early layers");
                }

                break;

            case GradientIssueKind.Exploding:
                tips.Add($"lower the learning rate (now {lr})");
                if (!configuredRemedies.Any(r => r.StartsWith("clip", StringComparison.Ordinal)))
                {
                    tips.Add("add gradient clipping (ClipRelativeNorm, ClipGlobalNorm, or ClipAdaptive for unit-wise control)");
                }

                if (model.NormalizationCount == 0)
                {
                    tips.Add("add normalization layers (LayerNorm/BatchNorm)");
                }

                if (model.PlainRnnCount > 0 || model.LstmOrGruCount > 0)
                {
                    tips.Add(model.PlainRnnCount > 0 ? "plain RNN: use LSTM/GRU and truncate the context window" : "truncate the context window (shorter sequences for backpropagation through time)");
                }
                else if (deep && noResidual)
                {
                    tips.Add($"{model.ParameterizedLayers} layers deep without residual paths: a shorter network or skip connections make gradients better behaved");
                }

                if (!configuredRemedies.Any(r => r.EndsWith("penalty", StringComparison.Ordinal)))
                {
                    tips.Add("L2 regularization (weight decay) keeps weights, and so gradients, smaller");
                }

                break;

            case GradientIssueKind.NonFinite:
                tips.Add($"lower the learning rate (now {lr}) and check the loss for log(0), division by zero or overflow");
                if (!configuredRemedies.Contains("skip_step"))
                {
                    tips.Add("SkipNonFiniteSteps() keeps one bad batch from corrupting the weights");
                }

                if (!configuredRemedies.Any(r => r.StartsWith("clip", StringComparison.Ordinal)))
                {
                    tips.Add("gradient clipping stops the growth that usually precedes NaN");
                }

                break;

            case GradientIssueKind.DeadUnits:
                tips.Add(model.ReluFamilyCount > 0
                    ? $"{model.ReluFamilyCount} ReLU-family activation(s): dead ReLUs recover poorly; lower the learning rate, use LeakyReLU/GELU, or initialize biases slightly positive"
                    : "many exactly-zero gradients: check for masking, saturated activations or disconnected inputs");
                break;

            case GradientIssueKind.Stalled:
                tips.Add($"weights barely move: the learning rate (now {lr}) may be too small or decayed by a scheduler; check also for vanishing gradients upstream");
                break;

            case GradientIssueKind.Underflow:
                tips.Add("in float16 these gradients turn subnormal or flush to zero: use dynamic loss scaling (scale the loss by 2^k before backward, unscale before the optimizer step, lower k on overflow) or train in bfloat16, which keeps float32's exponent range");
                break;

            case GradientIssueKind.Overshooting:
                tips.Add($"steps overshoot the minimum along their direction: lower the learning rate (now {lr}) or add warm-up");
                break;
        }

        return tips.Count == 0 ? null : Join(tips);
    }

    private static string Activations(ModelProfile model)
    {
        var parts = new List<string>();
        if (model.SigmoidCount > 0)
        {
            parts.Add($"{model.SigmoidCount} Sigmoid");
        }

        if (model.TanhCount > 0)
        {
            parts.Add($"{model.TanhCount} Tanh");
        }

        return string.Join(" and ", parts) + " activation" + (model.SigmoidCount + model.TanhCount == 1 ? string.Empty : "s");
    }

    private static string Join(List<string> tips)
    {
        var sb = new StringBuilder();
        foreach (var tip in tips)
        {
            if (sb.Length > 0)
            {
                sb.Append("; ");
            }

            sb.Append(tip);
        }

        return sb.ToString();
    }
}
