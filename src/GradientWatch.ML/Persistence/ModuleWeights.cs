using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.ML.Persistence;

/// <summary>
/// The weights of a module (its <c>state_dict</c>: parameters and buffers) in a small format of our own, so that
/// loading can check every declared name, type and shape against the module the factory creates <b>before</b> reading
/// any tensor data: a damaged or hostile file can never make the loader allocate more than the module itself holds.
/// Format: magic <c>GWW1</c>, entry count (int32), then per entry: name (length-prefixed UTF-8), dtype (int32),
/// rank (int32), dimensions (int64 each), byte length (int64), raw little-endian bytes.
/// </summary>
internal static class ModuleWeights
{
    private const uint Magic = 0x31575747; // "GWW1"
    private const int MaxNameBytes = 4096;

    public static byte[] Save(nn.Module module)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            var state = module.state_dict();
            writer.Write(Magic);
            writer.Write(state.Count);
            foreach (var (name, tensor) in state)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                writer.Write(name);
                writer.Write((int)cpu.dtype);
                writer.Write(cpu.shape.Length);
                foreach (long d in cpu.shape)
                {
                    writer.Write(d);
                }

                var bytes = cpu.bytes;
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
            }
        }

        return stream.ToArray();
    }

    /// <summary>Total bytes of the module's state (what <see cref="Save"/> writes, besides names and headers).</summary>
    public static long DataBytes(nn.Module module)
    {
        long total = 0;
        foreach (var (_, tensor) in module.state_dict())
        {
            total += tensor.NumberOfElements * tensor.ElementSize;
        }

        return total;
    }

    /// <summary>
    /// Copies saved weights into <paramref name="module"/>. Every entry is checked against the module's own state
    /// before its data is read; any difference throws an <see cref="InvalidDataException"/> that says what differs.
    /// Returns the number of non-finite values loaded into floating-point tensors and the total number of such values.
    /// </summary>
    public static (long NonFinite, long FloatingValues) Load(nn.Module module, ReadOnlySpan<byte> data, string what)
    {
        var state = module.state_dict();
        var reader = new SpanReader(data, what);
        if (reader.UInt32() != Magic)
        {
            throw new InvalidDataException($"{what}: the weights do not start with the GradientWatch weights header; the data is damaged.");
        }

        int count = reader.Int32();
        if (count != state.Count)
        {
            throw new InvalidDataException(
                $"{what}: the saved weights hold {count} tensor(s), but the module the factory creates has {state.Count} ({string.Join(", ", state.Keys)}). " +
                "The module's architecture differs from the one that was trained.");
        }

        long nonFinite = 0, floating = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var noGrad = torch.no_grad();
        for (int i = 0; i < count; i++)
        {
            string name = reader.Name(MaxNameBytes);
            if (!state.TryGetValue(name, out var target) || !seen.Add(name))
            {
                throw new InvalidDataException(
                    $"{what}: the saved weights hold a tensor '{name}' that the module the factory creates {(seen.Contains(name) ? "lists only once" : "does not have")} " +
                    $"(its tensors: {string.Join(", ", state.Keys)}). The module's architecture differs from the one that was trained.");
            }

            var dtype = (ScalarType)reader.Int32();
            int rank = reader.Int32();
            if (rank < 0 || rank > 16)
            {
                throw new InvalidDataException($"{what}: tensor '{name}' declares rank {rank}; the data is damaged.");
            }

            var shape = new long[rank];
            for (int d = 0; d < rank; d++)
            {
                shape[d] = reader.Int64();
            }

            if (dtype != target.dtype || !shape.SequenceEqual(target.shape))
            {
                throw new InvalidDataException(
                    $"{what}: tensor '{name}' was saved as {dtype} [{string.Join(", ", shape)}], but the module the factory creates has {target.dtype} [{string.Join(", ", target.shape)}]. " +
                    "The module's architecture differs from the one that was trained.");
            }

            long length = reader.Int64();
            long expected = target.NumberOfElements * target.ElementSize;
            if (length != expected)
            {
                throw new InvalidDataException($"{what}: tensor '{name}' declares {length} bytes of data, but {dtype} [{string.Join(", ", shape)}] holds {expected}; the data is damaged.");
            }

            var bytes = reader.Bytes(length);
            Copy(target, bytes);
            if (target.is_floating_point())
            {
                floating += target.NumberOfElements;
                using var finite = target.isfinite().logical_not().sum();
                nonFinite += finite.item<long>();
            }
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException($"{what}: {reader.Remaining} unexpected byte(s) after the last tensor; the data is damaged.");
        }

        return (nonFinite, floating);
    }

    private static void Copy(Tensor target, ReadOnlySpan<byte> bytes)
    {
        if (target.device_type == DeviceType.CPU && target.is_contiguous())
        {
            bytes.CopyTo(target.bytes);
            return;
        }

        using var cpu = torch.empty(target.shape, target.dtype);
        bytes.CopyTo(cpu.bytes);
        target.copy_(cpu);
    }

    /// <summary>Reads the format from a span, turning every overrun into an <see cref="InvalidDataException"/>.</summary>
    private ref struct SpanReader
    {
        private readonly ReadOnlySpan<byte> data;
        private readonly string what;
        private int position;

        public SpanReader(ReadOnlySpan<byte> data, string what)
        {
            this.data = data;
            this.what = what;
            position = 0;
        }

        public readonly bool AtEnd => position == data.Length;

        public readonly int Remaining => data.Length - position;

        public uint UInt32() => BitConverter.ToUInt32(Take(4));

        public int Int32() => BitConverter.ToInt32(Take(4));

        public long Int64() => BitConverter.ToInt64(Take(8));

        public string Name(int maxBytes)
        {
            // BinaryWriter.Write(string): 7-bit encoded length, then UTF-8 bytes.
            int length = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (shift > 28)
                {
                    throw Damaged("a tensor name's length is malformed");
                }

                byte b = Take(1)[0];
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            if (length < 0 || length > maxBytes)
            {
                throw Damaged($"a tensor name declares {length} bytes (at most {maxBytes})");
            }

            return Encoding.UTF8.GetString(Take(length));
        }

        public ReadOnlySpan<byte> Bytes(long length)
        {
            if (length < 0 || length > Remaining)
            {
                throw Damaged($"a tensor declares {length} bytes but only {Remaining} remain");
            }

            return Take((int)length);
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > data.Length - position)
            {
                throw Damaged("the weights end early");
            }

            var slice = data.Slice(position, count);
            position += count;
            return slice;
        }

        private readonly InvalidDataException Damaged(string why) => new($"{what}: {why}; the data is damaged.");
    }
}
