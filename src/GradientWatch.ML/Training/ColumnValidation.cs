using GradientWatch.ML.Inference;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Training;

/// <summary>Checks the feature and label columns and explains, naming the column, what is wrong and how to fix it.</summary>
internal static class ColumnValidation
{
    public static TrainingColumns Check(DataViewSchema schema, TorchModuleTask task, TorchModuleTrainerOptions options)
    {
        var features = schema.GetColumnOrNull(options.FeatureColumnName)
            ?? throw MissingFeatures(options.FeatureColumnName, schema.Select(c => c.Name));
        if (features.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw WrongFeatureType(options.FeatureColumnName, Describe(features.Type));
        }

        if (!vector.IsKnownSize)
        {
            throw UnknownFeatureSize(options.FeatureColumnName, Describe(features.Type));
        }

        var label = schema.GetColumnOrNull(options.LabelColumnName)
            ?? throw MissingLabel(options.LabelColumnName, schema.Select(c => c.Name));
        var type = label.Type;
        switch (task)
        {
            case TorchModuleTask.Regression:
                if (type != NumberDataViewType.Single)
                {
                    throw WrongLabelType(task, options.LabelColumnName, Describe(type));
                }

                return new TrainingColumns(features, label, vector.Size, LabelKind.Single, 1, null);

            case TorchModuleTask.BinaryClassification:
                if (type != BooleanDataViewType.Instance && type != NumberDataViewType.Single)
                {
                    throw WrongLabelType(task, options.LabelColumnName, Describe(type));
                }

                return new TrainingColumns(features, label, vector.Size, type == BooleanDataViewType.Instance ? LabelKind.Boolean : LabelKind.Single, 1, null);

            default:
                if (type is not KeyDataViewType key || key.RawType != typeof(uint))
                {
                    throw WrongLabelType(task, options.LabelColumnName, Describe(type));
                }

                if (key.Count < 2 || key.Count > int.MaxValue)
                {
                    throw new ArgumentException(
                        $"The label column '{options.LabelColumnName}' is a key with {key.Count} value(s); multiclass classification needs at least 2 classes.",
                        "input");
                }

                return new TrainingColumns(features, label, vector.Size, LabelKind.Key, (int)key.Count, LabelKeyValues.Read(label));
        }
    }

    public static void Check(SchemaShape schema, TorchModuleTask task, TorchModuleTrainerOptions options)
    {
        if (!TryFind(schema, options.FeatureColumnName, out var features))
        {
            throw MissingFeatures(options.FeatureColumnName, schema.Select(c => c.Name));
        }

        if (features.ItemType != NumberDataViewType.Single || features.Kind == SchemaShape.Column.VectorKind.Scalar || features.IsKey)
        {
            throw WrongFeatureType(options.FeatureColumnName, Describe(features));
        }

        if (features.Kind == SchemaShape.Column.VectorKind.VariableVector)
        {
            throw UnknownFeatureSize(options.FeatureColumnName, Describe(features));
        }

        if (!TryFind(schema, options.LabelColumnName, out var label))
        {
            throw MissingLabel(options.LabelColumnName, schema.Select(c => c.Name));
        }

        bool scalar = label.Kind == SchemaShape.Column.VectorKind.Scalar;
        bool ok = task switch
        {
            TorchModuleTask.Regression => scalar && !label.IsKey && label.ItemType == NumberDataViewType.Single,
            TorchModuleTask.BinaryClassification => scalar && !label.IsKey && (label.ItemType == BooleanDataViewType.Instance || label.ItemType == NumberDataViewType.Single),
            _ => scalar && label.IsKey,
        };
        if (!ok)
        {
            throw WrongLabelType(task, options.LabelColumnName, Describe(label));
        }
    }

    private static bool TryFind(SchemaShape schema, string name, out SchemaShape.Column column)
    {
        foreach (var candidate in schema)
        {
            if (candidate.Name == name)
            {
                column = candidate;
                return true;
            }
        }

        column = default;
        return false;
    }

    private static string Describe(DataViewType type) => type.ToString() ?? type.GetType().Name;

    private static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType}>" : Describe(column.ItemType);
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Scalar => item,
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}> of known size",
            _ => $"Vector<{item}> of unknown size",
        };
    }

    private static ArgumentException MissingFeatures(string name, IEnumerable<string> available)
        => new(
            $"The features column '{name}' was not found in the input data (columns: {List(available)}). " +
            "Create it, for example with ml.Transforms.Concatenate, or set TorchModuleTrainerOptions.FeatureColumnName.",
            "input");

    private static ArgumentException WrongFeatureType(string name, string actual)
        => new(
            $"The features column '{name}' must be a known-size vector of Single (float), but it is {actual}. " +
            "Convert it with ml.Transforms.Conversion.ConvertType(..., outputKind: DataKind.Single) or build it with ml.Transforms.Concatenate.",
            "input");

    private static ArgumentException UnknownFeatureSize(string name, string actual)
        => new(
            $"The features column '{name}' is a vector of unknown size ({actual}); the module needs the same, known number of features in every row. " +
            "Give the column a fixed size, for example with [VectorType(n)] on the input class, or featurize it into a fixed-size vector.",
            "input");

    private static ArgumentException MissingLabel(string name, IEnumerable<string> available)
        => new(
            $"The label column '{name}' was not found in the input data (columns: {List(available)}). Set TorchModuleTrainerOptions.LabelColumnName to the label's column.",
            "input");

    private static ArgumentException WrongLabelType(TorchModuleTask task, string name, string actual)
        => new(
            task switch
            {
                TorchModuleTask.Regression => $"The label column '{name}' must be Single (float) for regression, but it is {actual}. Convert it with ml.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single).",
                TorchModuleTask.BinaryClassification => $"The label column '{name}' must be Boolean, or Single holding 0 and 1, for binary classification, but it is {actual}.",
                _ => $"The label column '{name}' must be a key type for multiclass classification, but it is {actual}. Add ml.Transforms.Conversion.MapValueToKey(\"{name}\") before the trainer.",
            },
            "input");

    private static string List(IEnumerable<string> names)
    {
        var distinct = names.Distinct().ToList();
        return distinct.Count == 0 ? "none" : string.Join(", ", distinct.Select(n => $"'{n}'"));
    }
}
