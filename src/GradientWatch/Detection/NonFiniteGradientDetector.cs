using System.Globalization;

namespace GradientWatch.Detection;

/// <summary>NaN or Inf in any gradient or in the loss, on the same step, naming the layers and the one nearest the input.</summary>
internal sealed class NonFiniteGradientDetector : IGradientDetector
{
    public void Detect(StepSnapshot snapshot, List<DetectedIssue> issues)
    {
        if (!snapshot.HasNonFinite)
        {
            return;
        }

        var affected = snapshot.Layers.Where(l => l.HasNonFinite).ToArray();
        long nan = affected.Sum(l => l.NanCount);
        long inf = affected.Sum(l => l.InfCount);
        bool lossBad = snapshot.Loss is { } loss && !double.IsFinite(loss);
        var details = new Dictionary<string, double>
        {
            ["nan_count"] = nan,
            ["inf_count"] = inf,
            ["layers_affected"] = affected.Length,
        };
        if (snapshot.Loss is { } lv)
        {
            details["loss"] = lv;
        }

        string message;
        if (affected.Length > 0)
        {
            details["first_layer_index"] = affected[0].Index;
            message = string.Create(CultureInfo.InvariantCulture, $"non-finite gradients: {nan} NaN and {inf} Inf in {affected.Length} layer(s); nearest the input: {affected[0].Name} ({affected[0].NanCount} NaN, {affected[0].InfCount} Inf)");
            if (lossBad)
            {
                message += string.Create(CultureInfo.InvariantCulture, $"; loss is {snapshot.Loss}");
            }
        }
        else
        {
            message = string.Create(CultureInfo.InvariantCulture, $"non-finite loss ({snapshot.Loss}) with finite gradients");
        }

        issues.Add(new DetectedIssue
        {
            Kind = GradientIssueKind.NonFinite,
            Trigger = affected.Length > 0 ? "gradient" : "loss",
            Severity = GradientEventSeverity.Error,
            Layers = affected.Select(l => l.Name).ToArray(),
            ObservedValue = nan + inf,
            Threshold = 0,
            Details = details,
            Message = message,
        });
    }
}
