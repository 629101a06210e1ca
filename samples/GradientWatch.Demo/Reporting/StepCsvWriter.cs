using System.Globalization;
using System.Text;
using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Reporting;

/// <summary>
/// Writes per-step statistics as CSV, one row per run and step: loss, global norm before and after remedies,
/// learning rate, skipped and non-finite flags, then every layer's gradient norm.
/// </summary>
internal static class StepCsvWriter
{
    public static void Write(string path, IReadOnlyList<DemoRun> runs)
    {
        var layers = runs.SelectMany(r => r.LayerNames).Distinct().ToArray();
        var text = new StringBuilder();
        text.Append("run,step,epoch,loss,global_norm,global_norm_after_remedies,learning_rate,step_size_alpha,skipped,non_finite");
        foreach (var layer in layers)
        {
            text.Append(",norm_").Append(layer);
        }

        text.Append('\n');
        foreach (var run in runs)
        {
            foreach (var s in run.Snapshots)
            {
                text.Append(run.Name).Append(',')
                    .Append(s.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(run.EpochOf(s.Step).ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(Number(s.Loss ?? double.NaN)).Append(',')
                    .Append(Number(s.GlobalGradientNorm)).Append(',')
                    .Append(Number(s.GlobalGradientNormAfterRemedies)).Append(',')
                    .Append(Number(s.LearningRates.Count > 0 ? s.LearningRates[0] : double.NaN)).Append(',')
                    .Append(Number(s.StepSizeAlpha)).Append(',')
                    .Append(s.StepSkipped ? "true" : "false").Append(',')
                    .Append(s.HasNonFinite ? "true" : "false");
                foreach (var layer in layers)
                {
                    text.Append(',').Append(s.FindLayer(layer) is { } l ? Number(l.GradientNorm) : string.Empty);
                }

                text.Append('\n');
            }
        }

        File.WriteAllText(path, text.ToString());
    }

    private static string Number(double value) => value.ToString("G9", CultureInfo.InvariantCulture);
}
