using GradientWatch.Corpus.Runs;
using TorchSharp;

torch.set_num_threads(1);
var spec = new RunSpec { Dataset = "iris", Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 };
foreach (var s in new[] { spec, spec with { Dataset = "co2", Window = 32, Architecture = Architecture.Lstm }, spec with { Dataset = "sunspots", Window = 16, Architecture = Architecture.Transformer, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3 }, spec with { Dataset = "elnino", Window = 24, Architecture = Architecture.Conv1d }, spec with { Dataset = "modechoice", Architecture = Architecture.ResidualMlp, Depth = 8, Normalization = Normalization.Batch } , spec with {Dataset="randhie"}, spec with {Dataset="fair"}, spec with {Dataset="star98"}, spec with {Dataset="linnerud", BatchSize=8}, spec with {Dataset="macrodata"}, spec with {Dataset="wine"}, spec with {Dataset="macrodata-infl", Window=16, Architecture=Architecture.Rnn}})
{
    var r = CorpusRunner.Run(s, RemedyConfig.None);
    Console.WriteLine($"{s.Id}: {r.Trajectory.EvalStart:G3} -> {r.Trajectory.EvalFinal:G3} events {r.Events.Count} {r.Seconds:F2}s move [{string.Join(",", r.Trajectory.LayerMovement.Select(m => m.ToString("G2")))}] dead [{string.Join(",", r.Trajectory.DeadFractions.Select(m => m.ToString("G2")))}]");
}
