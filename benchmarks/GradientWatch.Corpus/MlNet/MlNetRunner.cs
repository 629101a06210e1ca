using System.Diagnostics;
using GradientWatch.Corpus.Data;
using GradientWatch.Corpus.Models;
using GradientWatch.Corpus.Runs;
using GradientWatch.ML;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.MlNet;

/// <summary>
/// Trains a corpus model through the real ML.NET path: an <see cref="MLContext"/> pipeline ending in GradientWatch.ML's
/// <c>TorchModule</c> trainer (multiclass for classification, regression otherwise), wrapped with
/// <c>.WithGradientWatch(...)</c>, fitted on the dataset's training split. The trainer runs its own loop (epochs over a
/// seeded permutation, the last batch of an epoch possibly short); the corpus only listens: the loss of every step
/// comes from the watcher's step snapshots (<c>OnStep</c>), the events from <c>OnEvent</c>, and the held-out loss,
/// weight movement and dead units are measured on the trained module exactly as for the other corpus runs.
/// </summary>
internal static class MlNetRunner
{
    /// <summary>Training rows are capped (the first rows of the fixed-shuffle training split) so that 20 epochs stay short on the larger sets.</summary>
    public const int MaxTrainRows = 1024;

    public static MlNetOutcome Run(MlNetSetup setup, RemedyConfig config)
    {
        var clock = Stopwatch.StartNew();
        var spec = setup.Spec;
        var (fullTrain, eval) = DatasetLoader.Load(spec.Dataset, spec.Window);
        var train = fullTrain.Rows > MaxTrainRows ? fullTrain.Select(Enumerable.Range(0, MaxTrainRows).ToArray()) : fullTrain;
        var ml = new MLContext(seed: spec.Seed);
        var (evalX, evalY) = CorpusRunner.Tensors(eval, Enumerable.Range(0, eval.Rows).ToArray());
        var probe = new ModuleProbe();
        var options = new TorchModuleTrainerOptions
        {
            Epochs = setup.Epochs,
            BatchSize = spec.BatchSize,
            Optimizer = spec.Optimizer switch
            {
                OptimizerKind.Adam => TorchOptimizer.Adam,
                OptimizerKind.AdamW => TorchOptimizer.AdamW,
                _ => TorchOptimizer.Sgd,
            },
            Momentum = spec.Optimizer == OptimizerKind.Momentum ? 0.9 : 0,
            LearningRate = spec.LearningRate,
            WeightDecay = spec.WeightDecay,
            Seed = spec.Seed,
        };

        nn.Module<Tensor, Tensor> Create(int features)
        {
            var module = ModelFactory.Create(spec, features, train.Outputs);
            probe.Capture(module, () => CorpusRunner.EvalLoss(module, evalX, evalY, eval));
            return module;
        }

        var pipeline = train.IsClassification
            ? ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.MulticlassClassification.Trainers.TorchModule("corpus", (features, _) => Create(features), options))
            : (IEstimator<ITransformer>)ml.Regression.Trainers.TorchModule("corpus", Create, options);

        var events = new List<ObservedEvent>();
        var losses = new List<double>();
        var norms = new List<double>();
        var alphas = new List<double>();
        var rates = new List<double>();
        var watched = pipeline.WithGradientWatch(w =>
        {
            CorpusRunner.Configure(w, config);
            w.OnEvent(e => events.Add(ObservedEvent.From(e)));
            w.OnStep(s =>
            {
                losses.Add(s.Loss ?? double.NaN);
                norms.Add(s.GlobalGradientNorm);
                alphas.Add(s.StepSizeAlpha);
                rates.Add(s.LearningRates.Count > 0 ? s.LearningRates[0] : double.NaN);
            });
        });
        var model = watched.Fit(MlNetRows.Load(ml, train));

        var scored = model.Transform(MlNetRows.Load(ml, eval));
        double metric = train.IsClassification ? ml.MulticlassClassification.Evaluate(scored).MacroAccuracy : ml.Regression.Evaluate(scored).RSquared;
        var module = probe.Module ?? throw new InvalidOperationException("the trainer never created the module");
        double evalFinal = CorpusRunner.EvalLoss(module, evalX, evalY, eval);
        var layers = CorpusRunner.WeightLayers(module);
        var trajectory = new Trajectory
        {
            Losses = losses.ToArray(),
            EvalStart = probe.EvalStart,
            EvalFinal = evalFinal,
            LayerMovement = layers.Select((l, i) => CorpusRunner.Movement(probe.Start[i], l.Weights)).ToArray(),
            DeadFractions = CorpusRunner.DeadFractions(module, evalX),
            GradientNorms = norms.ToArray(),
            StepSizeAlphas = alphas.ToArray(),
            PlannedSteps = losses.Count,
        };
        probe.Dispose();
        evalX.Dispose();
        evalY.Dispose();
        int cuts = rates.Zip(rates.Skip(1)).Count(p => p.Second < p.First);
        double ratio = rates.Count > 0 ? rates[^1] / spec.LearningRate : 1;
        return new MlNetOutcome(new RunResult(spec with { Steps = losses.Count }, config, trajectory, events, clock.Elapsed.TotalSeconds),
            train.IsClassification ? "macro accuracy" : "R²", metric, cuts, ratio);
    }

    /// <summary>The module the trainer created, its weights and held-out loss before the first step.</summary>
    private sealed class ModuleProbe : IDisposable
    {
        public nn.Module<Tensor, Tensor>? Module { get; private set; }

        public Tensor[][] Start { get; private set; } = [];

        public double EvalStart { get; private set; } = double.NaN;

        public void Capture(nn.Module<Tensor, Tensor> module, Func<double> evalLoss)
        {
            Module = module;
            Start = CorpusRunner.WeightLayers(module).Select(l => l.Weights.Select(p => p.detach().clone()).ToArray()).ToArray();
            EvalStart = evalLoss();
        }

        public void Dispose()
        {
            foreach (var t in Start.SelectMany(w => w))
            {
                t.Dispose();
            }
        }
    }
}
