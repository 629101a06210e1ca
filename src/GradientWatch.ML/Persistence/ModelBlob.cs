using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using GradientWatch.ML.Inference;

namespace GradientWatch.ML.Persistence;

/// <summary>
/// A trained module as one string, which the model carries as the value of an ML.NET <c>MapValue</c> lookup so that
/// ML.NET's own <c>ml.Model.Save</c> writes it and <c>ml.Model.Load</c> reads it back. Text: <c>GWTM2:</c> and the
/// base64 of: magic <c>GWTM</c>, the descriptor's UTF-8 JSON length (int32) and bytes, the weights' length (int64) and
/// bytes (<see cref="ModuleWeights"/>). Decoding checks every declared length against what is really there and the
/// weights' SHA-256 against the descriptor before anything is built from them.
/// </summary>
internal static class ModelBlob
{
    public const string Prefix = "GWTM2:";
    private const uint Magic = 0x4D545747; // "GWTM"
    private const int MaxDescriptorBytes = 1 << 20;

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public static string Encode(TorchModuleDescriptor descriptor, byte[] weights)
    {
        descriptor.WeightsBytes = weights.Length;
        descriptor.WeightsSha256 = Convert.ToHexString(SHA256.HashData(weights));
        var json = JsonSerializer.SerializeToUtf8Bytes(descriptor, Json);
        var payload = new byte[4 + 4 + json.Length + 8 + weights.Length];
        var span = payload.AsSpan();
        BitConverter.TryWriteBytes(span, Magic);
        BitConverter.TryWriteBytes(span[4..], json.Length);
        json.CopyTo(span[8..]);
        BitConverter.TryWriteBytes(span[(8 + json.Length)..], (long)weights.Length);
        weights.CopyTo(span[(16 + json.Length)..]);
        return Prefix + Convert.ToBase64String(payload);
    }

    /// <summary>Decodes and checks a blob; throws <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static (TorchModuleDescriptor Descriptor, ReadOnlyMemory<byte> Weights) Decode(ReadOnlySpan<char> text)
    {
        const string what = "The TorchSharp module stored in this model";
        if (text.Length == 0)
        {
            throw new InvalidDataException($"{what} is missing: the model's GradientWatch lookup holds no value. The model file is damaged.");
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{what} is damaged: it does not start with '{Prefix}'.");
        }

        var base64 = text[Prefix.Length..];
        var payload = new byte[base64.Length / 4 * 3];
        if (base64.Length % 4 != 0 || !Convert.TryFromBase64Chars(base64, payload, out int length))
        {
            throw new InvalidDataException($"{what} is damaged: its text is not valid base64.");
        }

        var data = payload.AsMemory(0, length);
        var span = data.Span;
        if (length < 16 || BitConverter.ToUInt32(span) != Magic)
        {
            throw new InvalidDataException($"{what} is damaged: the header is missing.");
        }

        int jsonLength = BitConverter.ToInt32(span[4..]);
        if (jsonLength <= 0 || jsonLength > MaxDescriptorBytes || jsonLength > length - 16)
        {
            throw new InvalidDataException($"{what} is damaged: its descriptor declares {jsonLength} bytes, but {Math.Max(0, length - 16)} are available (at most {MaxDescriptorBytes}).");
        }

        long weightsLength = BitConverter.ToInt64(span[(8 + jsonLength)..]);
        long available = length - 16 - jsonLength;
        if (weightsLength != available)
        {
            throw new InvalidDataException($"{what} is damaged: its weights declare {weightsLength} bytes, but {available} are stored.");
        }

        TorchModuleDescriptor? descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize<TorchModuleDescriptor>(span.Slice(8, jsonLength), Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{what} is damaged: its descriptor is not valid JSON ({ex.Message}).", ex);
        }

        if (descriptor is null)
        {
            throw new InvalidDataException($"{what} is damaged: its descriptor is empty.");
        }

        descriptor.Validate($"The TorchSharp module '{descriptor.ModuleName}' stored in this model");
        var weights = data.Slice(16 + jsonLength);
        if (descriptor.WeightsBytes != weights.Length)
        {
            throw new InvalidDataException($"The TorchSharp module '{descriptor.ModuleName}' stored in this model is damaged: its descriptor declares {descriptor.WeightsBytes} bytes of weights, but {weights.Length} are stored.");
        }

        if (!string.Equals(Convert.ToHexString(SHA256.HashData(weights.Span)), descriptor.WeightsSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"The TorchSharp module '{descriptor.ModuleName}' stored in this model is damaged: its weights do not match their SHA-256.");
        }

        return (descriptor, weights);
    }
}
