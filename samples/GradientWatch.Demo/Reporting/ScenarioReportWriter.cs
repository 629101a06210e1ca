using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Reporting;

/// <summary>Writes a scenario's per-step statistics, plots and HTML report next to its event file.</summary>
internal sealed class ScenarioReportWriter
{
    private readonly PlotRenderer plots = new();

    /// <summary>Writes every file and returns the outcome with <see cref="ScenarioOutcome.Files"/> filled in.</summary>
    public ScenarioOutcome Write(ScenarioOutcome outcome)
    {
        var files = new List<string>();
        string Path(string name)
        {
            files.Add(name);
            return System.IO.Path.Combine(outcome.Directory, name);
        }

        if (File.Exists(System.IO.Path.Combine(outcome.Directory, ScenarioOutcome.EventsFile)))
        {
            files.Add(ScenarioOutcome.EventsFile);
        }

        StepCsvWriter.Write(Path(ScenarioOutcome.StepsFile), outcome.Runs);
        var sections = new List<ReportSection>();
        foreach (var run in outcome.Runs)
        {
            string prefix = outcome.Runs.Count == 1 ? string.Empty : run.Name + "-";
            var images = new List<ReportImage>();
            plots.LayerNorms(run, Path(prefix + "layer-norms.png"));
            images.Add(new ReportImage(prefix + "layer-norms.png", "Gradient norm per layer over steps (log scale); dashed lines mark detected issues, learning-rate reductions and skipped steps."));
            plots.DepthProfile(run, Path(prefix + "depth-profile.png"));
            images.Add(new ReportImage(prefix + "depth-profile.png", "Depth profile: gradient norm by layer, input to output, at chosen steps (log scale)."));
            plots.LossAndLearningRate(run, Path(prefix + "loss-lr.png"));
            images.Add(new ReportImage(prefix + "loss-lr.png", "Loss (log scale) and learning rate."));
            if (PlotRenderer.HasStepSize(run))
            {
                plots.StepSize(run, Path(prefix + "step-size.png"));
                images.Add(new ReportImage(prefix + "step-size.png", "Step size α (Cockpit): where each step landed along its direction; persistently above 0 means the learning rate overshoots."));
            }
            if (PlotRenderer.HasHistograms(run))
            {
                foreach (int layer in PlotRenderer.DistributionLayers(run))
                {
                    string file = $"{prefix}distribution-{layer + 1}.png";
                    plots.Distribution(run, layer, Path(file));
                    images.Add(new ReportImage(file, $"Distribution of |g| in {run.LayerNames[layer]} over time: one column per full-statistics step, one row per power of two, colour = share of the layer's gradient elements (exact counts from the fused pass). Mass sliding down is the distribution vanishing; below the dashed line float16 would lose it."));
                }
            }

            sections.Add(new ReportSection(run, outcome.Diagnoses.First(d => d.Run == run), images));
        }

        var overlays = new List<ReportImage>();
        if (outcome.Runs.Count > 1)
        {
            plots.Compare(outcome.Runs, Path("compare-loss.png"), Path("compare-global-norm.png"));
            overlays.Add(new ReportImage("compare-loss.png", "Loss of both runs overlaid (log scale)."));
            overlays.Add(new ReportImage("compare-global-norm.png", "Global gradient norm of both runs before remedies (log scale)."));
        }

        files.Add(ScenarioOutcome.ReportFile);
        var result = outcome with { Files = files.ToArray() };
        HtmlReportWriter.Write(System.IO.Path.Combine(outcome.Directory, ScenarioOutcome.ReportFile), result, sections, overlays);
        return result;
    }
}
