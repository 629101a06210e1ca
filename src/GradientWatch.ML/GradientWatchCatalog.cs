using GradientWatch.ML.Inference;
using GradientWatch.ML.Persistence;
using GradientWatch.ML.Training;
using Microsoft.ML;
using static TorchSharp.torch;

namespace GradientWatch.ML;

/// <summary>
/// ML.NET catalog extensions that train a user-supplied TorchSharp module inside a pipeline, and save and load models
/// that contain such modules. Wrap the pipeline with
/// <see cref="GradientWatchPipelineExtensions.WithGradientWatch{TTransformer}(IEstimator{TTransformer}, Action{GradientWatchBuilder}, Action{GradientWatchFitSummary}?)"/>
/// to watch its gradients.
/// </summary>
/// <remarks>
/// <para>The trained transformer adds ML.NET's usual output columns, so the task's <c>Evaluate</c> works unchanged:
/// regression <c>Score</c>; binary classification <c>Score</c> (the logit), <c>Probability</c> (its sigmoid) and
/// <c>PredictedLabel</c>; multiclass classification <c>Score</c> (softmax probabilities, one slot per class) and
/// <c>PredictedLabel</c> (a key with the label's key values, so <c>MapKeyToValue</c> maps it back).</para>
/// <para>The module name identifies the module's factory when a saved model is loaded: creating a trainer registers
/// <c>moduleFactory</c> under that name in <see cref="TorchModuleRegistry"/>. Another process must register it again
/// before loading.</para>
/// <para>Data is read once into tensors on the training device (memory: rows × features floats), and each epoch
/// visits the rows in a permutation drawn from <see cref="TorchModuleTrainerOptions.Seed"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// var pipeline = ml.Transforms.Concatenate("Features", "X1", "X2")
///     .Append(ml.Transforms.NormalizeMinMax("Features"))
///     .Append(ml.Regression.Trainers.TorchModule("mlp", features => new Mlp(features),
///         new TorchModuleTrainerOptions { Epochs = 30, LearningRate = 0.01 }))
///     .WithGradientWatch(watch => watch.ClipGlobalNorm(1.0));
/// var model = pipeline.Fit(data);
/// ml.Model.SaveWithTorchModules(model, data.Schema, "model.zip");
/// </code>
/// </example>
public static class GradientWatchCatalog
{
    /// <summary>Trains a regression module. The module maps <c>[batch, features]</c> to <c>[batch]</c> or <c>[batch, 1]</c>; the default loss is mean squared error; the label is a <see cref="float"/>.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="moduleName">Name under which <paramref name="moduleFactory"/> is registered; stored in saved models.</param>
    /// <param name="moduleFactory">Creates the module from the number of features.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IEstimator<ITransformer> TorchModule(this RegressionCatalog.RegressionTrainers catalog, string moduleName,
        Func<int, nn.Module<Tensor, Tensor>> moduleFactory, TorchModuleTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(moduleFactory);
        return Create(catalog, TorchModuleTask.Regression, moduleName, (features, _) => moduleFactory(features), options);
    }

    /// <summary>
    /// Trains a binary classification module. The module maps <c>[batch, features]</c> to one logit per row
    /// (<c>[batch]</c> or <c>[batch, 1]</c>); the default loss is binary cross-entropy on logits; the label is a
    /// <see cref="bool"/>, or a <see cref="float"/> holding 0 or 1.
    /// </summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="moduleName">Name under which <paramref name="moduleFactory"/> is registered; stored in saved models.</param>
    /// <param name="moduleFactory">Creates the module from the number of features.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IEstimator<ITransformer> TorchModule(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string moduleName,
        Func<int, nn.Module<Tensor, Tensor>> moduleFactory, TorchModuleTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(moduleFactory);
        return Create(catalog, TorchModuleTask.BinaryClassification, moduleName, (features, _) => moduleFactory(features), options);
    }

    /// <summary>
    /// Trains a multiclass classification module. The module maps <c>[batch, features]</c> to logits
    /// <c>[batch, classes]</c>; the default loss is cross-entropy; the label is a key (use <c>MapValueToKey</c>), whose
    /// count is the number of classes.
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="moduleName">Name under which <paramref name="moduleFactory"/> is registered; stored in saved models.</param>
    /// <param name="moduleFactory">Creates the module from the number of features and the number of classes.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IEstimator<ITransformer> TorchModule(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string moduleName,
        Func<int, int, nn.Module<Tensor, Tensor>> moduleFactory, TorchModuleTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(moduleFactory);
        return Create(catalog, TorchModuleTask.MulticlassClassification, moduleName, moduleFactory, options);
    }

    /// <summary>
    /// Saves <paramref name="model"/> to one self-contained file: ML.NET's model zip, with the weights of every
    /// TorchSharp module trained by this catalog stored as extra entries inside it.
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>ml.Model</c>).</param>
    /// <param name="model">The trained model.</param>
    /// <param name="inputSchema">The schema of the model's input, as for <c>ml.Model.Save</c>; may be null.</param>
    /// <param name="filePath">The file to write.</param>
    public static void SaveWithTorchModules(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        using var file = File.Create(filePath);
        TorchModelFile.Save(catalog, model, inputSchema, file);
    }

    /// <summary>Saves <paramref name="model"/>, with the weights of its TorchSharp modules, to <paramref name="stream"/>.</summary>
    /// <param name="catalog">The model operations catalog (<c>ml.Model</c>).</param>
    /// <param name="model">The trained model.</param>
    /// <param name="inputSchema">The schema of the model's input, as for <c>ml.Model.Save</c>; may be null.</param>
    /// <param name="stream">The stream to write to.</param>
    public static void SaveWithTorchModules(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, Stream stream)
        => TorchModelFile.Save(catalog, model, inputSchema, stream);

    /// <summary>
    /// Loads a model saved by <see cref="SaveWithTorchModules(ModelOperationsCatalog, ITransformer, DataViewSchema?, string)"/>,
    /// restoring the weights of its TorchSharp modules. Every module's factory must be registered in
    /// <see cref="TorchModuleRegistry"/> under the name it was trained with. Modules run on the CPU.
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>ml.Model</c>).</param>
    /// <param name="filePath">The model file.</param>
    /// <param name="inputSchema">The saved input schema.</param>
    /// <exception cref="InvalidOperationException">A module's factory is not registered, or the file holds no weights for a module; the message says what to do.</exception>
    public static ITransformer LoadWithTorchModules(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        using var file = File.OpenRead(filePath);
        return TorchModelFile.Load(catalog, file, out inputSchema);
    }

    /// <summary>Loads a model saved by <see cref="SaveWithTorchModules(ModelOperationsCatalog, ITransformer, DataViewSchema?, Stream)"/> from <paramref name="stream"/>.</summary>
    /// <param name="catalog">The model operations catalog (<c>ml.Model</c>).</param>
    /// <param name="stream">The stream to read.</param>
    /// <param name="inputSchema">The saved input schema.</param>
    /// <exception cref="InvalidOperationException">A module's factory is not registered, or the file holds no weights for a module; the message says what to do.</exception>
    public static ITransformer LoadWithTorchModules(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema)
        => TorchModelFile.Load(catalog, stream, out inputSchema);

    private static IEstimator<ITransformer> Create(object catalog, TorchModuleTask task, string moduleName,
        Func<int, int, nn.Module<Tensor, Tensor>> factory, TorchModuleTrainerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        TorchModuleRegistry.ValidateName(moduleName);
        var copy = options?.Clone() ?? new TorchModuleTrainerOptions();
        copy.Validate();
        TorchModuleRegistry.Register(moduleName, factory);
        return new TorchModuleTrainer(HostEnvironmentResolver.Resolve(catalog), task, moduleName, factory, copy);
    }
}
