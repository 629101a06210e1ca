using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GradientWatch.Statistics;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Capture;

/// <summary>
/// Reads gradients and weights of the parameters in a <see cref="LayerMap"/>. CPU float32/float64
/// tensors are read in place through their memory, in one fused, parallel pass; any other tensor
/// (another device, half precision) is reduced on its device with torch ops and read back in a
/// single host transfer.
/// </summary>
internal sealed unsafe class GradientCapture : IDisposable
{
    private readonly LayerMap map;
    private readonly int maxDegreeOfParallelism;
    private readonly TensorPass pass = new();
    private readonly GradientMoments[] gradients;
    private readonly long[] histograms;
    private readonly GradientMoments[] weights;
    private readonly double[] updates;
    private readonly long[] zeroUnits;
    private readonly long[] units;
    private readonly bool[] hasGradient;
    private readonly bool[] snapshotTaken;
    private readonly GradientMoments[] scratch;
    private readonly Array?[] snapshots;
    private readonly Tensor?[] deviceSnapshots;
    private readonly List<(int Slot, Tensor Tensor)> deviceWork = new();
    private readonly HashSet<int> unmeasuredSparse = new();

    public GradientCapture(LayerMap map, int maxDegreeOfParallelism)
    {
        this.map = map;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
        int n = map.Parameters.Count;
        gradients = new GradientMoments[n];
        histograms = new long[n * ExponentHistogram.Length];
        weights = new GradientMoments[n];
        updates = new double[n];
        zeroUnits = new long[n];
        units = new long[n];
        hasGradient = new bool[n];
        snapshotTaken = new bool[n];
        scratch = new GradientMoments[n];
        snapshots = new Array?[n];
        deviceSnapshots = new Tensor?[n];
    }

    /// <summary>Estimate ‖Δw‖ of large tensors from a fixed block sample (see <see cref="UpdateSampling"/>).</summary>
    internal bool SampleUpdates { get; set; } = true;

    /// <summary>Forces the torch-ops path for every tensor (the path used off the CPU). For tests and benchmarks.</summary>
    internal bool ForceTorchOps { get; set; }

    /// <summary>Per-parameter gradient moments from the last <see cref="MeasureGradients"/>.</summary>
    public ReadOnlySpan<GradientMoments> Gradients => gradients;

    /// <summary>Per-parameter weight moments from the last <see cref="MeasureWeights"/>.</summary>
    public ReadOnlySpan<GradientMoments> Weights => weights;

    /// <summary>Per-parameter Σ(Δw)² from the last <see cref="MeasureWeights"/> with an update (NaN where not measured).</summary>
    public ReadOnlySpan<double> UpdatesSquared => updates;

    /// <summary>Per-parameter units (dim-0 slices) from the last <see cref="MeasureZeroUnits"/>; 0 where not measured.</summary>
    public ReadOnlySpan<long> Units => units;

    /// <summary>Per-parameter units whose gradient is all zero, from the last <see cref="MeasureZeroUnits"/>.</summary>
    public ReadOnlySpan<long> ZeroUnits => zeroUnits;

    /// <summary>Whether the last <see cref="MeasureGradients"/> counted the histograms.</summary>
    public bool HasHistograms { get; private set; }

    /// <summary>Parameter <paramref name="index"/>'s binary-exponent histogram (<see cref="ExponentHistogram"/> layout) from the last measurement with histograms.</summary>
    public ReadOnlySpan<long> Histogram(int index) => histograms.AsSpan(index * ExponentHistogram.Length, ExponentHistogram.Length);

    /// <summary>Whether parameter <paramref name="index"/> had a gradient at the last measurement.</summary>
    public bool HasGradient(int index) => hasGradient[index];

    /// <summary>
    /// Measures every parameter's gradient. The caller must hold a dispose scope open around the call
    /// (each <c>grad</c> getter returns a new wrapper).
    /// </summary>
    public void MeasureGradients(bool full, bool histogram = false)
    {
        Array.Clear(gradients);
        HasHistograms = full && histogram;
        if (HasHistograms)
        {
            Array.Clear(histograms);
        }

        var operation = HasHistograms ? PassOperation.FullWithHistogram : full ? PassOperation.Full : PassOperation.Norm;
        pass.Clear();
        deviceWork.Clear();
        var parameters = map.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i].Parameter;
            Tensor? g = p.requires_grad ? p.grad : null;
            if (g is not null && g.is_sparse)
            {
                g = SparseAsDense(i, g);
            }

            hasGradient[i] = g is not null;
            if (g is null)
            {
                continue;
            }

            Enqueue(i, g, operation, IntPtr.Zero);
        }

        pass.Run(gradients, maxDegreeOfParallelism, histograms);
        ReduceOnDevice(gradients, full, HasHistograms ? histograms : default);
    }

    /// <summary>
    /// Counts, for every parameter with units (<see cref="ParameterEntry.HasUnits"/>), the units whose gradient is exactly
    /// zero (<see cref="ZeroRows"/>): in place on the CPU, where a live row costs about one element; elsewhere with torch
    /// ops and one host read. The caller must hold a dispose scope open around the call.
    /// </summary>
    public void MeasureZeroUnits()
    {
        Array.Clear(zeroUnits);
        Array.Clear(units);
        var device = new List<(int Slot, Tensor Count)>();
        var parameters = map.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i].Parameter;
            if (!hasGradient[i] || !parameters[i].HasUnits || !p.requires_grad)
            {
                continue;
            }

            var g = p.grad;
            if (g is null || g.is_sparse || g.dim() == 0 || g.shape[0] == 0 || g.numel() == 0)
            {
                continue;
            }

            long rows = g.shape[0];
            units[i] = rows;
            if (IsFastPath(g))
            {
                void* data = (void*)DataPointer(g);
                zeroUnits[i] = g.dtype == ScalarType.Float64
                    ? ZeroRows.Count(new ReadOnlySpan<double>(data, (int)g.numel()), rows)
                    : ZeroRows.Count(new ReadOnlySpan<float>(data, (int)g.numel()), rows);
            }
            else
            {
                device.Add((i, g.detach().reshape(rows, -1).ne(0).any(1).logical_not().sum().to_type(ScalarType.Float64)));
            }
        }

        if (device.Count > 0)
        {
            using var all = torch.stack(device.Select(d => d.Count).ToArray()).cpu();
            var values = all.data<double>().ToArray();
            for (int k = 0; k < device.Count; k++)
            {
                zeroUnits[device[k].Slot] = (long)values[k];
            }
        }
    }

    /// <summary>
    /// Parameters whose sparse gradient was too large to densify and was left unmeasured at the last
    /// <see cref="MeasureGradients"/> (reported like frozen parameters; the watcher warns once).
    /// </summary>
    public IReadOnlyCollection<int> UnmeasuredSparse => unmeasuredSparse;

    /// <summary>
    /// A sparse gradient (for example <c>nn.Embedding(..., sparse: true)</c>) as a dense tensor, so that every statistic
    /// covers the gradient exactly, duplicate indices summed and untouched rows counted as zeros. Null (unmeasured) when
    /// the dense form would exceed <see cref="MaxDensifiedElements"/>.
    /// </summary>
    private Tensor? SparseAsDense(int slot, Tensor g)
    {
        if (g.numel() > MaxDensifiedElements)
        {
            unmeasuredSparse.Add(slot);
            return null;
        }

        unmeasuredSparse.Remove(slot);
        return g.to_dense();
    }

    /// <summary>Largest sparse gradient (in elements) measured by densifying it: 16M elements, 64 MB in float32.</summary>
    internal const long MaxDensifiedElements = 1L << 24;

    /// <summary>
    /// Keeps a copy of the trainable weights right before the optimizer step (only the sampled blocks of large
    /// tensors, see <see cref="UpdateSampling"/>), so that <see cref="MeasureWeights"/> can measure ‖Δw‖ after it.
    /// </summary>
    public void SnapshotWeights()
    {
        pass.Clear();
        var parameters = map.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            snapshotTaken[i] = false;
            if (!hasGradient[i])
            {
                continue;
            }

            var p = parameters[i].Parameter;
            if (IsFastPath(p))
            {
                pass.Add(i, Sampled(p) ? PassOperation.SampledCopy : PassOperation.Copy, DataPointer(p), SnapshotBuffer(i, p), p.numel(), p.dtype == ScalarType.Float64);
            }
            else
            {
                deviceSnapshots[i]?.Dispose();
                var copy = p.detach().clone();
                copy.MoveToOuterDisposeScope();
                deviceSnapshots[i] = copy;
            }

            snapshotTaken[i] = true;
        }

        pass.Run(scratch, maxDegreeOfParallelism);
    }

    /// <summary>
    /// Measures the trainable weights' norms after the optimizer step; with <paramref name="withUpdate"/>, also
    /// Σ(w − w_snapshot)² against the copy <see cref="SnapshotWeights"/> kept, in the same read of the weights.
    /// </summary>
    public void MeasureWeights(bool withUpdate)
    {
        Array.Clear(weights);
        Array.Fill(updates, double.NaN);
        pass.Clear();
        deviceWork.Clear();
        var parameters = map.Parameters;
        var deviceDiffs = new List<(int Slot, Tensor Diff)>();
        for (int i = 0; i < parameters.Count; i++)
        {
            if (!hasGradient[i])
            {
                continue;
            }

            var p = parameters[i].Parameter;
            bool update = withUpdate && snapshotTaken[i];
            if (deviceSnapshots[i] is { } snap)
            {
                if (update)
                {
                    deviceDiffs.Add((i, p.detach().sub(snap).square().sum().to_type(ScalarType.Float64)));
                }

                snap.Dispose();
                deviceSnapshots[i] = null;
                deviceWork.Add((i, p));
                continue;
            }

            if (update && IsFastPath(p))
            {
                pass.Add(i, Sampled(p) ? PassOperation.NormAndSampledDistance : PassOperation.NormAndDistance, DataPointer(p), SnapshotBuffer(i, p), p.numel(), p.dtype == ScalarType.Float64);
            }
            else
            {
                Enqueue(i, p, PassOperation.Norm, IntPtr.Zero);
            }
        }

        pass.Run(weights, maxDegreeOfParallelism);
        ReduceOnDevice(weights, full: false, default);
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i].DistanceCount > 0)
            {
                // A sampled tensor's Σ(Δw)² is scaled up by the sampled fraction.
                updates[i] = weights[i].DistanceSquared * weights[i].Count / weights[i].DistanceCount;
            }

            snapshotTaken[i] = false;
        }

        if (deviceDiffs.Count > 0)
        {
            using var all = torch.stack(deviceDiffs.Select(d => d.Diff).ToArray()).cpu();
            var values = all.data<double>().ToArray();
            for (int k = 0; k < deviceDiffs.Count; k++)
            {
                updates[deviceDiffs[k].Slot] = values[k];
            }
        }
    }

    /// <summary>Drops the weight snapshots taken for the update ratio (used when the step was skipped).</summary>
    public void DiscardSnapshots()
    {
        Array.Clear(snapshotTaken);
        for (int i = 0; i < deviceSnapshots.Length; i++)
        {
            deviceSnapshots[i]?.Dispose();
            deviceSnapshots[i] = null;
        }
    }

    public void Dispose() => DiscardSnapshots();

    private bool IsFastPath(Tensor t)
        => !ForceTorchOps
        && t.device_type == DeviceType.CPU
        && (t.dtype == ScalarType.Float32 || t.dtype == ScalarType.Float64)
        && t.is_contiguous()
        && t.numel() * t.ElementSize <= int.MaxValue;

    private void Enqueue(int slot, Tensor t, PassOperation operation, IntPtr target)
    {
        if (IsFastPath(t))
        {
            pass.Add(slot, operation, DataPointer(t), target, t.numel(), t.dtype == ScalarType.Float64);
        }
        else if (!ForceTorchOps && t.device_type == DeviceType.CPU && (t.dtype == ScalarType.Float32 || t.dtype == ScalarType.Float64) && !t.is_contiguous() && target == IntPtr.Zero)
        {
            // A strided gradient: read a contiguous copy (kept alive by the caller's dispose scope).
            var c = t.contiguous();
            pass.Add(slot, operation, DataPointer(c), IntPtr.Zero, c.numel(), c.dtype == ScalarType.Float64);
        }
        else
        {
            deviceWork.Add((slot, t));
        }
    }

    /// <summary>Whether ‖Δw‖ of <paramref name="p"/> is estimated from the block sample rather than measured exactly.</summary>
    private bool Sampled(Tensor p) => SampleUpdates && p.numel() > UpdateSampling.ExactUpTo;

    private IntPtr SnapshotBuffer(int slot, Tensor p)
    {
        long n = Sampled(p) ? UpdateSampling.SampledLength(p.numel()) : p.numel();
        bool isDouble = p.dtype == ScalarType.Float64;
        var existing = snapshots[slot];
        if (existing is null || existing.LongLength != n || (isDouble ? existing is not double[] : existing is not float[]))
        {
            existing = isDouble ? GC.AllocateUninitializedArray<double>((int)n, pinned: true) : GC.AllocateUninitializedArray<float>((int)n, pinned: true);
            snapshots[slot] = existing;
        }

        // Arrays from the pinned object heap never move.
        return isDouble
            ? (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference((double[])existing))
            : (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference((float[])existing));
    }

    private static IntPtr DataPointer(Tensor t)
    {
        if (t.numel() == 0)
        {
            return IntPtr.Zero;
        }

        var bytes = t.bytes;
        return (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));
    }

    /// <summary>
    /// Reduces the queued non-CPU tensors with torch ops and reads every result back in one transfer; with
    /// <paramref name="slotHistograms"/>, each row also carries the tensor's exponent histogram (<see cref="TorchHistogram"/>).
    /// </summary>
    private void ReduceOnDevice(Span<GradientMoments> slots, bool full, Span<long> slotHistograms)
    {
        if (deviceWork.Count == 0)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        var rows = new Tensor[deviceWork.Count];
        for (int k = 0; k < deviceWork.Count; k++)
        {
            rows[k] = TorchMoments(deviceWork[k].Tensor);
            if (!slotHistograms.IsEmpty)
            {
                rows[k] = torch.cat(new[] { rows[k], TorchHistogram(deviceWork[k].Tensor) });
            }
        }

        var all = torch.stack(rows).cpu();
        var values = all.data<double>().ToArray();
        int width = slotHistograms.IsEmpty ? 6 : 6 + ExponentHistogram.Length;
        for (int k = 0; k < deviceWork.Count; k++)
        {
            int o = k * width;
            if (!slotHistograms.IsEmpty)
            {
                var target = slotHistograms.Slice(deviceWork[k].Slot * ExponentHistogram.Length, ExponentHistogram.Length);
                for (int b = 0; b < ExponentHistogram.Length; b++)
                {
                    target[b] += (long)values[o + 6 + b];
                }
            }

            var m = new GradientMoments
            {
                Count = deviceWork[k].Tensor.numel(),
                NanCount = (long)values[o],
                InfCount = (long)values[o + 1],
                ZeroCount = full ? (long)values[o + 2] : 0,
                Sum = full ? values[o + 3] : 0,
                SumOfSquares = values[o + 4],
                MaxAbs = values[o + 5],
                NormOnly = !full,
            };
            slots[deviceWork[k].Slot].Add(m);
        }

        deviceWork.Clear();
    }

    /// <summary>
    /// The binary-exponent histogram of a tensor (<see cref="ExponentHistogram"/> layout, as float64 counts) with torch ops on
    /// its device: <c>frexp</c> gives each |x| = m·2^k with m in [0.5, 1), so floor(log2 |x|) = k − 1 exactly, subnormals included;
    /// one <c>bincount</c> then counts the buckets.
    /// </summary>
    internal static Tensor TorchHistogram(Tensor t)
    {
        var x = t.detach().flatten().to_type(ScalarType.Float64);
        if (x.numel() == 0)
        {
            return torch.zeros(ExponentHistogram.Length, ScalarType.Float64, x.device);
        }

        var a = x.abs();
        var (_, exponent) = torch.frexp(a);
        var index = (exponent.to_type(ScalarType.Int64) - 1).clamp(GradientHistogram.MinExponent - 1, GradientHistogram.MaxExponent + 1)
            + (ExponentHistogram.FirstExponentIndex - GradientHistogram.MinExponent);
        index = torch.where(a.eq(0.0), torch.zeros_like(index), index);
        index = torch.where(x.isinf(), torch.full_like(index, ExponentHistogram.InfinityIndex), index);
        index = torch.where(x.isnan(), torch.full_like(index, ExponentHistogram.NanIndex), index);
        return index.bincount(null, ExponentHistogram.Length).to_type(ScalarType.Float64);
    }

    /// <summary>[nan, inf, zeros, Σfinite, Σfinite², max|non-NaN|] of a tensor, in float64, on its device.</summary>
    internal static Tensor TorchMoments(Tensor t)
    {
        var x = t.detach().flatten().to_type(ScalarType.Float64);
        if (x.numel() == 0)
        {
            return torch.zeros(6, ScalarType.Float64, x.device);
        }

        var nan = x.isnan();
        var inf = x.isinf();
        var finite = x.nan_to_num(0.0, 0.0, 0.0);
        var absNoNan = torch.where(nan, torch.zeros_like(x), x.abs());
        return torch.stack(new[]
        {
            nan.sum().to_type(ScalarType.Float64),
            inf.sum().to_type(ScalarType.Float64),
            x.eq(0.0).sum().to_type(ScalarType.Float64),
            finite.sum(),
            finite.square().sum(),
            absNoNan.max(),
        });
    }
}
