using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using GradientWatch.ML.Inference;
using GradientWatch.ML.Persistence;
using GradientWatch.ML.Watching;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.ML.Training;

/// <summary>
/// Trains a user-supplied TorchSharp module inside an ML.NET pipeline. <see cref="Fit"/> reads the feature and label
/// columns once into device tensors, then runs mini-batch epochs over a seeded permutation; when a
/// <see cref="GradientWatchFitContext"/> is active it steps through a <see cref="GradientWatcher"/>, otherwise it calls
/// <c>optimizer.step()</c> itself. The result is a <see cref="TorchModulePredictionTransformer"/>.
/// </summary>
internal sealed class TorchModuleTrainer : IEstimator<TorchModulePredictionTransformer>
{
    private readonly IHostEnvironment environment;
    private readonly TorchModuleTask task;
    private readonly string moduleName;
    private readonly Func<int, int, nn.Module<Tensor, Tensor>> factory;
    private readonly Delegate userFactory;
    private readonly TorchModuleTrainerOptions options;

    public TorchModuleTrainer(IHostEnvironment environment, TorchModuleTask task, string moduleName, Func<int, int, nn.Module<Tensor, Tensor>> factory,
        Delegate userFactory, TorchModuleTrainerOptions options)
    {
        this.environment = environment;
        this.task = task;
        this.moduleName = moduleName;
        this.factory = factory;
        this.userFactory = userFactory;
        this.options = options;
    }

    public TorchModuleTask Task => task;

    public string ModuleName => moduleName;

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnValidation.Check(inputSchema, task, options);
        return TorchModuleChain.GetOutputSchema(task, options.FeatureColumnName, 2, LabelKeyValuesShape(inputSchema), inputSchema);
    }

    public TorchModulePredictionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var columns = ColumnValidation.Check(input.Schema, task, options);
        using var channel = environment.Start($"TorchModule({moduleName})");
        var data = TrainingDataReader.Read(input, columns, task, options);
        if (data.SkippedRows > 0)
        {
            channel.Warning(MessageSensitivity.None, "{0}", $"Skipped {data.SkippedRows} row(s) whose features or label held NaN or Infinity (InvalidFeatureHandling.SkipRow).");
        }

        if (data.Rows == 0)
        {
            throw new InvalidOperationException(
                $"No rows to train on: the input data has no rows{(data.SkippedRows > 0 ? $" left after skipping {data.SkippedRows} with NaN or Infinity" : "")}.");
        }

        TorchSharpBackend.EnsureAvailable();
        var device = options.ResolveDevice();
        var module = TorchSeed.Run(options.Seed, () => factory(columns.FeatureCount, columns.ClassCount))
            ?? throw new InvalidOperationException($"The module factory '{moduleName}' returned null.");
        module.to(device);
        module.train();
        OutputShapeCheck.Run(module, task, moduleName, columns, data, device, options.LabelColumnName);

        var descriptor = new TorchModuleDescriptor
        {
            Task = task,
            ModuleName = moduleName,
            FeatureCount = columns.FeatureCount,
            ClassCount = columns.ClassCount,
            FeatureColumnName = options.FeatureColumnName,
            // Key values a saved model cannot map back one to one (duplicates, unsupported types) are left out: PredictedLabel then carries the class indices.
            LabelKeyValues = columns.LabelKeyValues is { } keys && keys.IsValid(columns.ClassCount) ? keys : null,
            Factory = FactoryReference.Describe(userFactory, out string? factoryProblem),
            FactoryProblem = factoryProblem,
            ModuleType = TorchModuleRestorer.RecreatableType(module, task == TorchModuleTask.MulticlassClassification ? 2 : 1),
        };
        if (descriptor.Factory is null && descriptor.ModuleType is null)
        {
            channel.Warning(MessageSensitivity.None, "{0}",
                $"The factory of module '{moduleName}' cannot be recorded in a saved model ({factoryProblem}), and its type {module.GetType().Name} has no public constructor taking the feature count. " +
                $"A saved model will hold the weights, but loading it in another process needs TorchModuleRegistry.Register(\"{moduleName}\", ...) first. " +
                "Use a static method or a lambda that captures only numbers, strings, booleans or enums to make the model load on its own.");
        }

        if (task == TorchModuleTask.MulticlassClassification && columns.ClassCount > TorchModuleDescriptor.MaxClasses)
        {
            throw new InvalidOperationException(
                $"The label column '{options.LabelColumnName}' has {columns.ClassCount} classes; a multiclass TorchModule trainer supports at most {TorchModuleDescriptor.MaxClasses}.");
        }

        channel.Info(MessageSensitivity.None, "{0}", $"Training {moduleName} for {task}: {data.Rows} rows, {columns.FeatureCount} features{(task == TorchModuleTask.MulticlassClassification ? $", {columns.ClassCount} classes" : "")}, " +
            $"{options.Epochs} epochs, batch size {options.BatchSize}, {options.Optimizer} lr={options.LearningRate.ToString(CultureInfo.InvariantCulture)}, device {device}.");

        using var optimizer = OptimizerFactory.Create(options, module.parameters());
        var context = GradientWatchFitContext.Current;
        GradientWatcher? watcher = null;
        string? watchError = null;
        if (context is not null)
        {
            try
            {
                watcher = context.CreateWatcher(module, optimizer, moduleName);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                watchError = ex.Message;
                channel.Warning(MessageSensitivity.None, "{0}", $"GradientWatch could not watch {moduleName}; training continues unwatched: {ex.Message}");
            }
        }

        var losses = new List<double>(options.Epochs);
        var steps = new StrongBox<long>();
        try
        {
            Train(module, optimizer, watcher, data, device, channel, losses, steps);
        }
        finally
        {
            if (context is not null)
            {
                context.Report(new GradientWatchTrainerRun
                {
                    Task = task.ToString(),
                    ModuleName = moduleName,
                    Watch = watcher?.GetSummary(),
                    WatchError = watchError,
                    EpochLosses = losses.ToArray(),
                    Steps = steps.Value,
                });
            }

            watcher?.Dispose();
        }

        module.eval();
        return new TorchModulePredictionTransformer(new TorchModuleModel(descriptor, module, device));
    }

    private LabelKeyValues? LabelKeyValuesShape(SchemaShape inputSchema)
    {
        if (task != TorchModuleTask.MulticlassClassification)
        {
            return null;
        }

        foreach (var column in inputSchema)
        {
            if (column.Name != options.LabelColumnName)
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

    private void Train(nn.Module<Tensor, Tensor> module, optim.Optimizer optimizer, GradientWatcher? watcher, TrainingData data, Device device,
        IChannel channel, List<double> losses, StrongBox<long> steps)
    {
        int n = data.Rows;
        int f = data.FeatureCount;
        int batch = Math.Min(options.BatchSize, n);
        var lossFunction = options.Loss ?? LossFunctions.Default(task);

        using var x = ToDevice(data.Features.AsSpan(0, n * f), new long[] { n, f }, device);
        using var y = data.Classes is not null
            ? torch.tensor(data.Classes.AsSpan(0, n).ToArray(), ScalarType.Int64).to(device)
            : ToDevice(data.Targets.AsSpan(0, n), new long[] { n }, device);
        using var lossSum = torch.zeros(1, ScalarType.Float64, device);

        var order = new long[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var random = new Random(options.Seed);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            long started = Stopwatch.GetTimestamp();
            if (options.Shuffle)
            {
                random.Shuffle(order);
            }

            lossSum.zero_();
            using (var permutation = torch.tensor(order, ScalarType.Int64).to(device))
            {
                for (int start = 0; start < n; start += batch)
                {
                    int length = Math.Min(batch, n - start);
                    using var scope = torch.NewDisposeScope();
                    var index = permutation.narrow(0, start, length);
                    var xb = x.index_select(0, index);
                    var yb = y.index_select(0, index);
                    optimizer.zero_grad();
                    var output = Shape(module.call(xb), length);
                    var loss = lossFunction(output, yb);
                    loss.backward();
                    if (watcher is not null)
                    {
                        watcher.Step(loss);
                    }
                    else
                    {
                        optimizer.step();
                    }

                    steps.Value++;
                    using (torch.no_grad())
                    {
                        lossSum.add_(loss.detach().to_type(ScalarType.Float64) * length);
                    }
                }
            }

            double epochLoss = lossSum.cpu().item<double>() / n;
            losses.Add(epochLoss);
            var elapsed = Stopwatch.GetElapsedTime(started);
            channel.Info(MessageSensitivity.None, "{0}", $"Epoch {epoch}/{options.Epochs}: loss {epochLoss.ToString("G6", CultureInfo.InvariantCulture)} ({steps.Value} steps, {elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} ms).");
            options.OnEpochCompleted?.Invoke(new TorchModuleEpochInfo
            {
                Epoch = epoch,
                Epochs = options.Epochs,
                Loss = epochLoss,
                Steps = steps.Value,
                Rows = n,
                Elapsed = elapsed,
            });
        }
    }

    private Tensor Shape(Tensor output, int rows)
    {
        var shape = output.shape;
        if (task == TorchModuleTask.MulticlassClassification)
        {
            return shape.Length == 2 && shape[0] == rows ? output : throw WrongShape(shape, rows, $"[{rows}, classes]");
        }

        if ((shape.Length == 1 && shape[0] == rows) || (shape.Length == 2 && shape[0] == rows && shape[1] == 1))
        {
            return output.reshape(rows);
        }

        throw WrongShape(shape, rows, $"[{rows}] or [{rows}, 1]");
    }

    private InvalidOperationException WrongShape(long[] shape, int rows, string expected)
        => new($"The module '{moduleName}' returned shape [{string.Join(", ", shape)}] for a batch of {rows} rows; a {task} module must return {expected}.");

    private static Tensor ToDevice(ReadOnlySpan<float> values, long[] shape, Device device)
    {
        var cpu = torch.empty(shape, ScalarType.Float32);
        cpu.data<float>().CopyFrom(values, 0, 0);
        if (device.type == DeviceType.CPU)
        {
            return cpu;
        }

        using (cpu)
        {
            return cpu.to(device);
        }
    }
}
