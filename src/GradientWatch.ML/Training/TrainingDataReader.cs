using System.Globalization;
using GradientWatch.ML.Inference;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradientWatch.ML.Training;

/// <summary>
/// Reads the feature and label columns into <see cref="TrainingData"/> in one cursor pass. The hot path allocates
/// nothing per row: the features getter refills one reused <see cref="VBuffer{T}"/>, whose values are checked for
/// NaN/±Inf with SIMD and copied (densified when sparse) straight into a contiguous buffer that grows geometrically.
/// </summary>
internal static class TrainingDataReader
{
    public static TrainingData Read(IDataView data, TrainingColumns columns, TorchModuleTask task, TorchModuleTrainerOptions options)
    {
        int f = columns.FeatureCount;
        long? known = data.GetRowCount();
        int capacity = known is > 0 and < int.MaxValue ? (int)known.Value : 1024;
        var features = new float[checked(capacity * f)];
        float[]? targets = columns.LabelKind == LabelKind.Key ? null : new float[capacity];
        long[]? classes = columns.LabelKind == LabelKind.Key ? new long[capacity] : null;

        using var cursor = data.GetRowCursor(new[] { columns.Features, columns.Label });
        var getFeatures = cursor.GetGetter<VBuffer<float>>(columns.Features);
        var getSingle = columns.LabelKind == LabelKind.Single ? cursor.GetGetter<float>(columns.Label) : null;
        var getBoolean = columns.LabelKind == LabelKind.Boolean ? cursor.GetGetter<bool>(columns.Label) : null;
        var getKey = columns.LabelKind == LabelKind.Key ? cursor.GetGetter<uint>(columns.Label) : null;
        bool binary = task == TorchModuleTask.BinaryClassification;
        bool skip = options.InvalidFeatureHandling == InvalidFeatureHandling.SkipRow;

        var row = default(VBuffer<float>);
        float single = 0;
        bool boolean = false;
        uint key = 0;
        int n = 0;
        long skipped = 0;
        while (cursor.MoveNext())
        {
            long position = cursor.Position;
            getFeatures(ref row);
            if (row.Length != f)
            {
                throw new InvalidOperationException(
                    $"The features column '{columns.Features.Name}' has {row.Length} values in row {position}; its type promises {f}.");
            }

            var values = row.GetValues();
            if (!FeatureChecks.AllFinite(values))
            {
                if (skip)
                {
                    skipped++;
                    continue;
                }

                throw new InvalidOperationException(
                    $"The features column '{columns.Features.Name}' holds NaN or Infinity in row {position} (value {FirstNonFinite(values)}). " +
                    "Clean or impute the data (for example ml.Transforms.ReplaceMissingValues), or set TorchModuleTrainerOptions.InvalidFeatureHandling = InvalidFeatureHandling.SkipRow to leave such rows out.");
            }

            if (getSingle is not null)
            {
                getSingle(ref single);
                if (binary)
                {
                    if (single is not (0f or 1f))
                    {
                        throw LabelOutOfRange(columns.Label.Name, position, single.ToString(CultureInfo.InvariantCulture), "0 or 1 (or use a Boolean label)");
                    }
                }
                else if (!float.IsFinite(single))
                {
                    if (skip)
                    {
                        skipped++;
                        continue;
                    }

                    throw LabelOutOfRange(columns.Label.Name, position, single.ToString(CultureInfo.InvariantCulture),
                        "a finite number; set TorchModuleTrainerOptions.InvalidFeatureHandling = InvalidFeatureHandling.SkipRow to leave such rows out");
                }
            }
            else if (getBoolean is not null)
            {
                getBoolean(ref boolean);
                single = boolean ? 1f : 0f;
            }
            else
            {
                getKey!(ref key);
                if (key == 0 || key > columns.ClassCount)
                {
                    throw LabelOutOfRange(columns.Label.Name, position, key == 0 ? "a missing key (0)" : key.ToString(CultureInfo.InvariantCulture),
                        $"a key from 1 to {columns.ClassCount}. A missing key means the row's label was not in the dictionary of MapValueToKey; filter such rows out or add the value to the dictionary");
                }
            }

            if (n == capacity)
            {
                capacity = checked(capacity * 2);
                Array.Resize(ref features, checked(capacity * f));
                if (targets is not null)
                {
                    Array.Resize(ref targets, capacity);
                }

                if (classes is not null)
                {
                    Array.Resize(ref classes, capacity);
                }
            }

            var destination = features.AsSpan(n * f, f);
            if (row.IsDense)
            {
                values.CopyTo(destination);
            }
            else
            {
                destination.Clear();
                var indices = row.GetIndices();
                for (int i = 0; i < indices.Length; i++)
                {
                    destination[indices[i]] = values[i];
                }
            }

            if (targets is not null)
            {
                targets[n] = single;
            }
            else
            {
                classes![n] = key - 1;
            }

            n++;
        }

        return new TrainingData
        {
            Features = features,
            FeatureCount = f,
            Targets = targets,
            Classes = classes,
            Rows = n,
            SkippedRows = skipped,
        };
    }

    private static string FirstNonFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return v.ToString(CultureInfo.InvariantCulture);
            }
        }

        return "?";
    }

    private static InvalidOperationException LabelOutOfRange(string column, long row, string value, string allowed)
        => new($"The label column '{column}' holds {value} in row {row}, outside the allowed range: {allowed}.");
}
