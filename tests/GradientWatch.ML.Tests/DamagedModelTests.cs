using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GradientWatch.ML.Inference;
using GradientWatch.ML.Persistence;
using GradientWatch.ML.Tests.Support;
using Microsoft.ML;

namespace GradientWatch.ML.Tests;

/// <summary>Damaged, tampered and inflating model files (issue 12, item 6) fail with clear errors and bounded memory.</summary>
public sealed class DamagedModelTests
{
    private static readonly Lazy<(MLContext Ml, IDataView Data, ITransformer Model, TorchModuleModel Trained)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = SaveLoadData.For(ml, "regression");
        var model = SaveLoadData.Pipeline(ml, "regression", "test-damaged").Fit(data);
        var trainer = SaveLoadTests.Flatten(model).OfType<TorchModulePredictionTransformer>().Single();
        return (ml, data, model, trainer.TrainedModel);
    });

    public static TheoryData<string, string, string> DamagedDescriptors => new()
    {
        { "FeatureCount", "-5", "FeatureCount is -5" },
        { "FeatureCount", "2147483647", "FeatureCount is 2147483647" },
        { "ClassCount", "1000000", "ClassCount is 1000000" },
        { "ModuleName", "null", "ModuleName is null" },
        { "FeatureColumnName", "\"\"", "FeatureColumnName is empty" },
        { "Format", "3", "newer GradientWatch.ML (format 3)" },
        { "Task", "\"Bogus\"", "descriptor is not valid JSON" },
        { "LabelKeyValues", "{\"ItemType\":\"Text\",\"Values\":[\"a\"]}", "LabelKeyValues is 1 value(s)" },
        { "Factory", "{\"Type\":\"System.Environment, System.Private.CoreLib\",\"Method\":\"Exit\",\"Static\":true}", "not a module factory" },
    };

    [Theory]
    [MemberData(nameof(DamagedDescriptors))]
    public void Tampered_descriptors_give_an_InvalidDataException_naming_what_is_wrong(string field, string json, string expected)
    {
        var (descriptor, weights) = Split(Trained.Value.Trained.Encode());
        descriptor[field] = JsonNode.Parse(json);

        var ex = Assert.Throws<InvalidDataException>(() => TorchModuleRestorer.Restore(Join(descriptor, weights), _ => { }));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Damaged_text_lengths_and_weights_give_an_InvalidDataException()
    {
        string good = Trained.Value.Trained.Encode();
        var (descriptor, weights) = Split(good);
        var flipped = weights.ToArray();
        flipped[^1] ^= 0xFF;

        Assert.Contains("does not start with 'GWTM2:'", Restore("garbage"));
        Assert.Contains("not valid base64", Restore(good[..^3]));
        Assert.Contains("holds no value", Restore(""));
        Assert.Contains("do not match their SHA-256", Restore(Join(descriptor, flipped, rehash: false)));
        Assert.Contains("weights declare", Restore(ModelBlob.Prefix + Convert.ToBase64String(Payload(descriptor, weights, declaredWeights: weights.Length + 100))));
        Assert.Contains("descriptor declares 1073741824 bytes", Restore(ModelBlob.Prefix + Convert.ToBase64String(Payload(descriptor, weights, declaredJson: 1 << 30))));
    }

    [Fact]
    public void A_tensor_declaring_a_huge_shape_is_refused_before_any_allocation()
    {
        var (descriptor, _) = Split(Trained.Value.Trained.Encode());
        // One tensor entry claiming 2^28 floats (1 GiB) backed by 4 bytes: the inflation the issue describes.
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(0x31575747u);
            w.Write(6);
            w.Write("fc1.weight");
            w.Write((int)TorchSharp.torch.ScalarType.Float32);
            w.Write(1);
            w.Write(1L << 28);
            w.Write((1L << 28) * 4);
            w.Write(0f);
        }

        string text = Join(descriptor, stream.ToArray());
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => TorchModuleRestorer.Restore(text, _ => { }));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("tensor 'fc1.weight' was saved as Float32 [268435456]", ex.Message);
        Assert.True(allocated < 16L << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void A_model_file_with_a_damaged_module_fails_at_LoadWithTorchModules_and_at_the_first_prediction_after_plain_Load()
    {
        var (ml, data, _, trained) = Trained.Value;
        var (descriptor, weights) = Split(trained.Encode());
        descriptor["FeatureCount"] = -1;
        var damaged = ml.Transforms.Concatenate("Features", "X1", "X2", "X3").Fit(data).Append(TorchModuleChain.Build(trained, Join(descriptor, weights)));
        using var stream = new MemoryStream();
        ml.Model.Save(damaged, data.Schema, stream);

        stream.Position = 0;
        var atLoad = Assert.Throws<InvalidDataException>(() => ml.Model.LoadWithTorchModules(stream, out _));
        stream.Position = 0;
        var plain = ml.Model.Load(stream, out _);
        var atPrediction = Assert.ThrowsAny<Exception>(() => Columns.Floats(plain.Transform(data), "Score"));

        Assert.Contains("module 'test-damaged' stored in this model is damaged: its descriptor's FeatureCount is -1", atLoad.Message);
        Assert.IsType<InvalidDataException>(SaveLoadTests.Innermost(atPrediction));
        Assert.Contains("FeatureCount is -1", SaveLoadTests.Innermost(atPrediction).Message);
    }

    [Fact]
    public void All_NaN_weights_load_with_a_warning_on_the_log_and_on_trace()
    {
        var ml = new MLContext(seed: 1);
        var data = SaveLoadData.For(ml, "binary");
        var model = SaveLoadData.Pipeline(ml, "binary", "test-nan-weights").Fit(data);
        using (TorchSharp.torch.no_grad())
        {
            foreach (var p in SaveLoadTests.Flatten(model).OfType<TorchModulePredictionTransformer>().Single().Model.Module.parameters())
            {
                p.fill_(float.NaN);
            }
        }

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        var log = new List<string>();
        var loadContext = new MLContext(seed: 2);
        loadContext.Log += (_, e) => log.Add(e.Message);
        stream.Position = 0;
        loadContext.Model.LoadWithTorchModules(stream, out _);

        var listener = new CapturingListener();
        Trace.Listeners.Add(listener);
        try
        {
            stream.Position = 0;
            var plain = new MLContext(seed: 3).Model.Load(stream, out _);
            Assert.All(Columns.Floats(plain.Transform(data), "Score"), v => Assert.True(float.IsNaN(v)));
        }
        finally
        {
            Trace.Listeners.Remove(listener);
        }

        Assert.Contains(log, m => m.Contains("non-finite value(s)", StringComparison.Ordinal) && m.Contains("all of them", StringComparison.Ordinal) && m.Contains("test-nan-weights", StringComparison.Ordinal));
        Assert.Contains(listener.Messages, m => m.Contains("non-finite value(s)", StringComparison.Ordinal) && m.Contains("test-nan-weights", StringComparison.Ordinal));
    }

    [Fact]
    public void A_model_saved_by_the_format_1_preview_is_refused_with_what_to_do()
    {
        var (ml, data, _, _) = Trained.Value;
        var preview = ml.Transforms.CustomMapping<TorchModulePlaceholderInput, TorchModulePlaceholderOutput>((_, _) => { }, TorchModulePlaceholderFactory.Contract).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(preview, data.Schema, stream);
        stream.Position = 0;

        // A real format-1 file names GradientWatch.ML as the mapping's assembly, which ML.NET then registers; this one's
        // mapping lambda lives in the test assembly, so register GradientWatch.ML as ML.NET would.
        var loader = new MLContext(seed: 9);
        loader.ComponentCatalog.RegisterAssembly(typeof(GradientWatchCatalog).Assembly);
        var ex = Assert.ThrowsAny<Exception>(() => loader.Model.Load(stream, out _));

        Assert.True(SaveLoadTests.Innermost(ex) is InvalidDataException, ex.ToString());
        Assert.Contains("earlier preview of GradientWatch.ML (format 1", SaveLoadTests.Innermost(ex).Message);
    }

    private static string Restore(string text)
        => Assert.Throws<InvalidDataException>(() => TorchModuleRestorer.Restore(text, _ => { })).Message;

    private static (JsonObject Descriptor, byte[] Weights) Split(string text)
    {
        var payload = Convert.FromBase64String(text[ModelBlob.Prefix.Length..]);
        int jsonLength = BitConverter.ToInt32(payload, 4);
        var descriptor = JsonNode.Parse(payload.AsSpan(8, jsonLength))!.AsObject();
        return (descriptor, payload[(16 + jsonLength)..]);
    }

    private static string Join(JsonObject descriptor, byte[] weights, bool rehash = true)
    {
        if (rehash)
        {
            descriptor["WeightsBytes"] = weights.Length;
            descriptor["WeightsSha256"] = Convert.ToHexString(SHA256.HashData(weights));
        }

        return ModelBlob.Prefix + Convert.ToBase64String(Payload(descriptor, weights));
    }

    private static byte[] Payload(JsonObject descriptor, byte[] weights, long? declaredWeights = null, int? declaredJson = null)
    {
        var json = Encoding.UTF8.GetBytes(descriptor.ToJsonString());
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(0x4D545747u);
        w.Write(declaredJson ?? json.Length);
        w.Write(json);
        w.Write(declaredWeights ?? weights.Length);
        w.Write(weights);
        w.Flush();
        return stream.ToArray();
    }

    private sealed class CapturingListener : TraceListener
    {
        public List<string> Messages { get; } = new();

        public override void Write(string? message) => Add(message);

        public override void WriteLine(string? message) => Add(message);

        private void Add(string? message)
        {
            lock (Messages)
            {
                Messages.Add(message ?? "");
            }
        }
    }
}
