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
/// <para>Saving and loading: ML.NET's own <c>ml.Model.Save</c> writes the trained module's weights into the model file and
/// <c>ml.Model.Load</c> restores it in any process, with nothing to register first. Loading creates the module again
/// with its factory, which the model file records when it is a static method, or a lambda (or local function) whose
/// captured variables are only numbers, strings, booleans or enums; otherwise from the module type's public constructor
/// taking the feature count (and the class count). A factory that captures anything else (<c>this</c>, an object) cannot
/// be recorded: training logs a warning, and the process that loads must call
/// <see cref="TorchModuleRegistry.Register(string, Func{int, nn.Module{Tensor, Tensor}})"/> first. A factory registered
/// under the module's name always takes precedence. Loading needs the assembly that declares the factory (the
/// application that trained it) and the same code: a changed lambda is refused with a message.</para>
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
/// ml.Model.Save(model, data.Schema, "model.zip");                 // weights included
/// var loaded = new MLContext().Model.Load("model.zip", out var schema); // in any process
/// </code>
/// </example>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "The TorchModule overloads extend different ML.NET catalogs (regression, binary, multiclass); a call can never match two of them.")]
public static class GradientWatchCatalog
{
    /// <summary>Trains a regression module. The module maps <c>[batch, features]</c> to <c>[batch]</c> or <c>[batch, 1]</c>; the default loss is mean squared error; the label is a <see cref="float"/>.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="moduleName">The module's name: names it in logs, metrics and saved models.</param>
    /// <param name="moduleFactory">Creates the module from the number of features.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IEstimator<TorchModulePredictionTransformer> TorchModule(this RegressionCatalog.RegressionTrainers catalog, string moduleName,
        Func<int, nn.Module<Tensor, Tensor>> moduleFactory, TorchModuleTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(moduleFactory);
        return Create(catalog, TorchModuleTask.Regression, moduleName, (features, _) => moduleFactory(features), moduleFactory, options);
    }

    /// <summary>
    /// Trains a binary classification module. The module maps <c>[batch, features]</c> to one logit per row
    /// (<c>[batch]</c> or <c>[batch, 1]</c>); the default loss is binary cross-entropy on logits; the label is a
    /// <see cref="bool"/>, or a <see cref="float"/> holding 0 or 1.
    /// </summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="moduleName">The module's name: names it in logs, metrics and saved models.</param>
    /// <param name="moduleFactory">Creates the module from the number of features.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IEstimator<TorchModulePredictionTransformer> TorchModule(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string moduleName,
        Func<int, nn.Module<Tensor, Tensor>> moduleFactory, TorchModuleTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(moduleFactory);
        return Create(catalog, TorchModuleTask.BinaryClassification, moduleName, (features, _) => moduleFactory(features), moduleFactory, options);
    }

    /// <summary>
    /// Trains a multiclass classification module. The module maps <c>[batch, features]</c> to logits
    /// <c>[batch, classes]</c>; the default loss is cross-entropy; the label is a key (use <c>MapValueToKey</c>), whose
    /// count is the number of classes.
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="moduleName">The module's name: names it in logs, metrics and saved models.</param>
    /// <param name="moduleFactory">Creates the module from the number of features and the number of classes.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IEstimator<TorchModulePredictionTransformer> TorchModule(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string moduleName,
        Func<int, int, nn.Module<Tensor, Tensor>> moduleFactory, TorchModuleTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(moduleFactory);
        return Create(catalog, TorchModuleTask.MulticlassClassification, moduleName, moduleFactory, moduleFactory, options);
    }

    /// <summary>
    /// Saves <paramref name="model"/> to a file. The same as ML.NET's <c>ml.Model.Save</c>, which writes the weights of
    /// every module trained by this catalog into the file; kept for code written against earlier previews.
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>ml.Model</c>).</param>
    /// <param name="model">The trained model.</param>
    /// <param name="inputSchema">The schema of the model's input, as for <c>ml.Model.Save</c>; may be null.</param>
    /// <param name="filePath">The file to write.</param>
    public static void SaveWithTorchModules(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        catalog.Save(model, inputSchema, filePath);
    }

    /// <summary>Saves <paramref name="model"/> to <paramref name="stream"/>; the same as ML.NET's <c>ml.Model.Save</c>.</summary>
    /// <param name="catalog">The model operations catalog (<c>ml.Model</c>).</param>
    /// <param name="model">The trained model.</param>
    /// <param name="inputSchema">The schema of the model's input, as for <c>ml.Model.Save</c>; may be null.</param>
    /// <param name="stream">The stream to write to.</param>
    public static void SaveWithTorchModules(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Save(model, inputSchema, stream);
    }

    /// <summary>
    /// Loads a model with ML.NET's <c>ml.Model.Load</c>, then gives back a <see cref="TorchModulePredictionTransformer"/>
    /// for every TorchSharp module trained by this catalog (so <c>.Model</c> and permutation feature importance work on
    /// the loaded model), checking each stored module at once: a damaged file fails here with an
    /// <see cref="InvalidDataException"/> rather than at the first prediction, and non-finite weights are reported on
    /// <c>MLContext.Log</c>. Modules run on the CPU. Plain <c>ml.Model.Load</c> predicts the same.
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>ml.Model</c>).</param>
    /// <param name="filePath">The model file.</param>
    /// <param name="inputSchema">The saved input schema.</param>
    /// <exception cref="InvalidDataException">A stored module is damaged; the message says what is wrong.</exception>
    /// <exception cref="InvalidOperationException">A module cannot be created again; the message says what to do.</exception>
    public static ITransformer LoadWithTorchModules(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        using var file = File.OpenRead(filePath);
        return TorchModelFile.Load(catalog, file, out inputSchema);
    }

    /// <summary>Loads a model from <paramref name="stream"/>, as <see cref="LoadWithTorchModules(ModelOperationsCatalog, string, out DataViewSchema)"/>.</summary>
    /// <param name="catalog">The model operations catalog (<c>ml.Model</c>).</param>
    /// <param name="stream">The stream to read.</param>
    /// <param name="inputSchema">The saved input schema.</param>
    /// <exception cref="InvalidDataException">A stored module is damaged; the message says what is wrong.</exception>
    /// <exception cref="InvalidOperationException">A module cannot be created again; the message says what to do.</exception>
    public static ITransformer LoadWithTorchModules(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema)
        => TorchModelFile.Load(catalog, stream, out inputSchema);

    private static IEstimator<TorchModulePredictionTransformer> Create(object catalog, TorchModuleTask task, string moduleName,
        Func<int, int, nn.Module<Tensor, Tensor>> factory, Delegate userFactory, TorchModuleTrainerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        TorchModuleRegistry.ValidateName(moduleName);
        var copy = options?.Clone() ?? new TorchModuleTrainerOptions();
        copy.Validate();
        return new TorchModuleTrainer(HostEnvironmentResolver.Resolve(catalog), task, moduleName, factory, userFactory, copy);
    }
}
