using System.Diagnostics;
using GradientWatch.Corpus.Data;
using GradientWatch.Corpus.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Runs;

/// <summary>
/// Trains one corpus run on the CPU, single-threaded and seeded, watched by GradientWatch with a given remedy
/// configuration, and records its trajectory itself (GradientWatch's events are recorded separately).
/// Runs must not overlap in one process: TorchSharp's seed generator is process-wide.
/// </summary>
internal static class CorpusRunner
{
    /// <summary>Consecutive non-finite losses after which a run stops (its weights are gone).</summary>
    internal const int StopAfterNonFiniteSteps = 5;

    /// <summary>The learning-rate cut of the previous recommendation: halving (the default factor was 0.5).</summary>
    private static void Halving(LearningRateReductionOptions o) => o.Factor = 0.5;

    /// <summary>Configures the watcher of a run for a remedy configuration.</summary>
    public static void Configure(GradientWatchBuilder w, RemedyConfig config)
    {
        w.Configure(o => o.MaxDegreeOfParallelism = 1);
        switch (config)
        {
            case RemedyConfig.None:
                w.DetectOvershooting();
                break;
            case RemedyConfig.Recommended:
                w.ClipRelativeNorm().ReduceLearningRate().SkipNonFiniteSteps();
                break;
            case RemedyConfig.Clip:
                w.ClipGlobalNorm(1.0);
                break;
            case RemedyConfig.PreviousRecommended:
                w.ClipGlobalNorm(1.0).ReduceLearningRate(Halving).SkipNonFiniteSteps();
                break;
            case RemedyConfig.ClipOnExploding:
                w.ClipGlobalNorm(1.0, o => o.Trigger = RemedyTrigger.OnIssues(GradientEventSeverity.Error, GradientIssueKind.Exploding))
                    .ReduceLearningRate(Halving).SkipNonFiniteSteps();
                break;
            case RemedyConfig.RecommendedWithHalving:
                w.ClipRelativeNorm().ReduceLearningRate(Halving).SkipNonFiniteSteps();
                break;
            case RemedyConfig.Defaults:
                break;
        }
    }

    public static RunResult Run(RunSpec spec, RemedyConfig config)
    {
        var clock = Stopwatch.StartNew();
        var (train, eval) = DatasetLoader.Load(spec.Dataset, spec.Window);
        torch.manual_seed(spec.Seed);
        var rng = new Random(spec.Seed);
        using var scope = torch.NewDisposeScope();
        var model = ModelFactory.Create(spec, train.Features, train.Outputs);
        var parameters = model.parameters().ToArray();
        using var optimizer = ModelFactory.Optimizer(spec, parameters);
        var weightLayers = WeightLayers(model);
        var start = weightLayers.Select(l => l.Weights.Select(p => p.detach().clone()).ToArray()).ToArray();
        var (evalX, evalY) = Tensors(eval, Enumerable.Range(0, eval.Rows).ToArray());
        double evalStart = EvalLoss(model, evalX, evalY, eval);

        var events = new List<ObservedEvent>();
        var losses = new List<double>(spec.Steps);
        var norms = new List<double>(spec.Steps);
        var alphas = new List<double>(spec.Steps);
        var layerNorms = new List<double[]>(spec.Steps);
        var layerZeros = new List<double[]>(spec.Steps);
        var layerDead = new List<double[]>(spec.Steps);
        var layerUpdates = new List<double[]>(spec.Steps);
        string[] layerNames = [];
        var zeroRows = new List<double[]>();
        var rowModules = ModuleParameters(model);
        using (var watch = model.WatchGradients(optimizer, w =>
        {
            Configure(w, config);
            w.OnEvent(e => events.Add(ObservedEvent.From(e)));
        }))
        {
            var order = Enumerable.Range(0, train.Rows).ToArray();
            int cursor = order.Length;
            int nonFiniteRun = 0;
            model.train();
            for (int step = 0; step < spec.Steps; step++)
            {
                using var stepScope = torch.NewDisposeScope();
                var batch = new int[Math.Min(spec.BatchSize, train.Rows)];
                for (int i = 0; i < batch.Length; i++)
                {
                    if (cursor >= order.Length)
                    {
                        rng.Shuffle(order);
                        cursor = 0;
                    }

                    batch[i] = order[cursor++];
                }

                var (x, y) = Tensors(train, batch);
                optimizer.zero_grad();
                var loss = Loss(model.call(x), y, train);
                double value = loss.detach().item<float>();
                loss.backward();
                if (spec.LoopClipNorm > 0)
                {
                    nn.utils.clip_grad_norm_(parameters, spec.LoopClipNorm);
                }

                if (step % 10 == 0)
                {
                    zeroRows.Add(rowModules.Select(m => ZeroRowFraction(m.Parameters)).ToArray());
                }

                var snapshot = watch.Step(value);
                norms.Add(snapshot.GlobalGradientNorm);
                alphas.Add(snapshot.StepSizeAlpha);
                layerNames = snapshot.Layers.Select(l => l.Name).ToArray();
                layerNorms.Add(snapshot.Layers.Select(l => l.GradientNorm).ToArray());
                layerZeros.Add(snapshot.Layers.Select(l => l.ZeroFraction).ToArray());
                layerDead.Add(snapshot.Layers.Select(l => l.DeadUnitFraction).ToArray());
                layerUpdates.Add(snapshot.Layers.Select(l => l.UpdateToWeightRatio).ToArray());
                losses.Add(value);
                nonFiniteRun = double.IsFinite(value) ? 0 : nonFiniteRun + 1;
                if (nonFiniteRun >= StopAfterNonFiniteSteps)
                {
                    break;
                }
            }
        }

        double evalFinal = EvalLoss(model, evalX, evalY, eval);
        var movement = weightLayers.Select((l, i) => Movement(start[i], l.Weights)).ToArray();
        var dead = DeadFractions(model, evalX);
        var trajectory = new Trajectory
        {
            Losses = losses.ToArray(),
            EvalStart = evalStart,
            EvalFinal = evalFinal,
            LayerMovement = movement,
            DeadFractions = dead,
            GradientNorms = norms.ToArray(),
            StepSizeAlphas = alphas.ToArray(),
            LayerNames = layerNames,
            LayerGradientNorms = layerNorms.ToArray(),
            LayerZeroFractions = layerZeros.ToArray(),
            LayerDeadUnitFractions = layerDead.ToArray(),
            LayerUpdateRatios = layerUpdates.ToArray(),
            ZeroRowFractions = zeroRows.ToArray(),
            ZeroRowModules = rowModules.Select(m => m.Name).ToArray(),
            PlannedSteps = spec.Steps,
        };
        return new RunResult(spec, config, trajectory, events, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Parameters grouped by owning module, keeping only modules with a matrix (or kernel) weight: the model's weight layers, in order.</summary>
    internal static List<(string Name, Tensor[] Weights)> WeightLayers(nn.Module model)
        => ModuleParameters(model).Where(g => g.Parameters.Any(w => w.dim() >= 2) && g.Name.Length > 0)
            .Select(g => (g.Name, g.Parameters.Where(w => w.dim() >= 2).ToArray()))
            .ToList();

    /// <summary>Every module's own parameters, grouped by owning module path (the root's under ""), in registration order.</summary>
    private static List<(string Name, Tensor[] Parameters)> ModuleParameters(nn.Module model)
    {
        var groups = new List<(string Name, List<Tensor> Parameters)>();
        foreach (var (name, p) in model.named_parameters())
        {
            int dot = name.LastIndexOf('.');
            string owner = dot < 0 ? "" : name[..dot];
            if (groups.Count == 0 || groups[^1].Name != owner)
            {
                groups.Add((owner, new List<Tensor>()));
            }

            groups[^1].Parameters.Add(p);
        }

        return groups.Select(g => (g.Name, g.Parameters.ToArray())).ToList();
    }

    private static double ZeroRowFraction(Tensor[] parameters)
    {
        using var scope = torch.NewDisposeScope();
        long rows = 0, zero = 0;
        foreach (var p in parameters)
        {
            using var g = p.grad;
            if (g is null || g.dim() == 0)
            {
                continue;
            }

            var flat = g.detach().reshape(g.shape[0], -1);
            rows += flat.shape[0];
            zero += (flat != 0).any(1).logical_not().sum().item<long>();
        }

        return rows == 0 ? double.NaN : (double)zero / rows;
    }

    internal static double Movement(Tensor[] before, Tensor[] after)
    {
        double moved = 0, size = 0;
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < before.Length; i++)
        {
            moved += Math.Pow((after[i].detach() - before[i]).norm().item<float>(), 2);
            size += Math.Pow(before[i].norm().item<float>(), 2);
        }

        return size > 0 ? Math.Sqrt(moved / size) : double.NaN;
    }

    internal static double[] DeadFractions(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        if (model is not IActivationProbe probe)
        {
            return [];
        }

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        var result = probe.HiddenActivations(x).Select(a =>
        {
            if (!a.isfinite().all().item<bool>())
            {
                return double.NaN;
            }

            var alive = (a != 0).any(0);
            return 1.0 - alive.to_type(ScalarType.Float64).mean().item<double>();
        }).ToArray();
        model.train();
        return result;
    }

    internal static double EvalLoss(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Dataset data)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        double loss = Loss(model.call(x), y, data).item<float>();
        model.train();
        return loss;
    }

    private static Tensor Loss(Tensor output, Tensor y, Dataset data)
        => data.IsClassification ? nn.functional.cross_entropy(output, y) : nn.functional.mse_loss(output, y);

    internal static (Tensor X, Tensor Y) Tensors(Dataset data, int[] rows)
    {
        var batch = data.Select(rows);
        var xt = torch.tensor(batch.X, [batch.Rows, batch.Features]);
        var yt = batch.IsClassification
            ? torch.tensor(batch.Y.Select(v => (long)v).ToArray(), [batch.Rows])
            : torch.tensor(batch.Y, [batch.Rows, batch.TargetsPerRow]);
        return (xt, yt);
    }
}
