using GradientWatch.ML.Inference;
using GradientWatch.ML.Tests.Support;
using GradientWatch.ML.Training;
using Microsoft.ML;

namespace GradientWatch.ML.Tests;

public sealed class DataFeedingTests
{
    [Fact]
    public void Reading_rows_allocates_only_the_contiguous_buffers_not_per_row()
    {
        var ml = new MLContext(seed: 1);
        const int rows = 20_000;
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new VectorRow { Features = [i, 1, 2], Label = i }).ToArray());
        var options = new TorchModuleTrainerOptions();
        var columns = ColumnValidation.Check(data.Schema, TorchModuleTask.Regression, options);
        TrainingDataReader.Read(data, columns, TorchModuleTask.Regression, options); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        var read = TrainingDataReader.Read(data, columns, TorchModuleTask.Regression, options);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long buffers = rows * 3L * sizeof(float) + rows * (long)sizeof(float);
        Assert.Equal(rows, read.Rows);
        Assert.True(allocated < buffers + 64 * 1024, $"allocated {allocated} bytes for {buffers} bytes of buffers ({(allocated - buffers) / (double)rows:F1} extra bytes per row)");
        Assert.Equal(new float[] { 7, 1, 2 }, read.Features.AsSpan(7 * 3, 3).ToArray());
    }

    [Fact]
    public void Sparse_feature_vectors_are_densified()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new MulticlassRow { X1 = 1, X2 = 2, Label = "a" },
            new MulticlassRow { X1 = 3, X2 = 4, Label = "b" },
        });
        var pipeline = ml.Transforms.Categorical.OneHotEncoding("Features", "Label")
            .Append(ml.Transforms.CopyColumns("Target", "X1"));
        var featurized = pipeline.Fit(data).Transform(data);
        var options = new TorchModuleTrainerOptions { LabelColumnName = "Target" };
        var columns = ColumnValidation.Check(featurized.Schema, TorchModuleTask.Regression, options);

        var read = TrainingDataReader.Read(featurized, columns, TorchModuleTask.Regression, options);

        Assert.Equal(new float[] { 1, 0, 0, 1 }, read.Features.AsSpan(0, 4).ToArray());
        Assert.Equal(new float[] { 1, 3 }, read.Targets!.AsSpan(0, 2).ToArray());
    }
}
