using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GradientWatch.Capture;
using GradientWatch.Statistics;
using GradientWatch.Tests.Support;
using static GradientWatch.Tests.Statistics.FusedReductionTests;

namespace GradientWatch.Tests.Capture;

/// <summary>The chunked, parallel runner: chunk boundaries, every operation, and sequential/parallel equality.</summary>
public sealed unsafe class TensorPassTests
{
    private const int Chunk = TensorPass.ChunkElements;

    [Theory]
    [InlineData((int)PassOperation.Full)]
    [InlineData((int)PassOperation.Norm)]
    [InlineData((int)PassOperation.Sum)]
    public void ParallelAndSequentialRunsAreBitForBitEqual(int op)
    {
        var operation = (PassOperation)op;
        var tensors = new[] { Chunk * 5 + 3, 1, Chunk - 1, Chunk, Chunk + 1, 257, Chunk * 3 }.Select((n, i) => Pinned(RandomFloats(n, 1e-2, 100 + i, zeroEvery: 17))).ToArray();
        var sequential = Run(tensors, operation, threads: 1, out bool sequentialWasParallel);
        var parallel = Run(tensors, operation, threads: 4, out bool parallelWasParallel);
        Assert.False(sequentialWasParallel);
        Assert.True(parallelWasParallel);
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(sequential[i], parallel[i]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void ChunkedResultsMatchTheReferencePerTensor(int threads)
    {
        var tensors = new[] { Chunk * 4 + 17, Chunk - 3, Chunk * 2, 5 }.Select((n, i) => Pinned(RandomFloats(n, 1e-3, 200 + i, zeroEvery: 5))).ToArray();
        tensors[0][Chunk * 2] = float.NaN;
        tensors[0][Chunk * 3 + 1] = float.PositiveInfinity;
        var full = Run(tensors, PassOperation.Full, threads, out _);
        var norm = Run(tensors, PassOperation.Norm, threads, out _);
        var sum = Run(tensors, PassOperation.Sum, threads, out _);
        for (int i = 0; i < tensors.Length; i++)
        {
            var reference = ReferenceStatistics.Of(tensors[i]);
            AssertMatches(reference, full[i], full: true);
            AssertMatches(reference, norm[i], full: false);
            if (i > 0)
            {
                Approx.Equal(tensors[i].Sum(v => (double)v), sum[i].Sum, rel: 1e-5, abs: 1e-6 * reference.Norm, what: "sum");
            }
        }

        Assert.Equal(1, full[0].NanCount);
        Assert.Equal(1, full[0].InfCount);
        Approx.Equal(ReferenceStatistics.Of(tensors[0]).Mean, full[0].Mean, rel: 1e-5, abs: 1e-9, what: "finite mean across chunks");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CopyThenNormAndDistanceGiveTheWeightNormAndTheUpdateNorm(int threads)
    {
        int n = Chunk * 3 + 11;
        var weights = Pinned(RandomFloats(n, 0.05, 300, zeroEvery: 0));
        var snapshot = GC.AllocateUninitializedArray<float>(n, pinned: true);
        var pass = new TensorPass();
        pass.Add(0, PassOperation.Copy, Address(weights), Address(snapshot), n, isDouble: false);
        var slots = new GradientMoments[1];
        pass.Run(slots, threads);
        Assert.Equal(weights, snapshot);

        var rng = new Random(301);
        for (int i = 0; i < n; i++)
        {
            weights[i] -= (float)((rng.NextDouble() - 0.5) * 1e-4);
        }

        double expected = weights.Zip(snapshot, (a, b) => ((double)a - b) * ((double)a - b)).Sum();
        pass.Clear();
        slots[0] = default;
        pass.Add(0, PassOperation.NormAndDistance, Address(weights), Address(snapshot), n, isDouble: false);
        pass.Run(slots, threads);

        // The pass reads the snapshot through a raw address: keep the array alive until then (a pinned array that is
        // no longer referenced can still be collected, and the pass would read freed memory).
        GC.KeepAlive(snapshot);
        Approx.Equal(expected, slots[0].DistanceSquared, rel: 1e-5);
        Assert.Equal(n, slots[0].DistanceCount);
        AssertMatches(ReferenceStatistics.Of(weights), slots[0], full: false);
    }

    [Fact]
    public void Float64ChunksMatchTheReference()
    {
        int n = Chunk * 2 + 9;
        var values = GC.AllocateUninitializedArray<double>(n, pinned: true);
        var rng = new Random(400);
        for (int i = 0; i < n; i++)
        {
            values[i] = (rng.NextDouble() - 0.4) * (i % 11 == 0 ? 0 : 1);
        }

        var pass = new TensorPass();
        var address = (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(values));
        pass.Add(0, PassOperation.Full, address, IntPtr.Zero, n, isDouble: true);
        pass.Add(1, PassOperation.Sum, address, IntPtr.Zero, n, isDouble: true);
        var slots = new GradientMoments[2];
        pass.Run(slots, 2);
        AssertMatches(ReferenceStatistics.Of(values), slots[0], full: true);
        Approx.Equal(values.Sum(), slots[1].Sum, rel: 1e-12);
    }

    [Fact]
    public void SmallWorkRunsOnTheCallingThread()
    {
        var small = Pinned(RandomFloats((int)(TensorPass.ParallelThreshold / 2), 1.0, 500, zeroEvery: 0));
        Run(new[] { small }, PassOperation.Full, threads: 8, out bool wasParallel);
        Assert.False(wasParallel);
    }

    [Fact]
    public void RepeatedParallelRunsStayCorrect()
    {
        // Helpers from an earlier run that start late must never touch a later run's work.
        var tensors = new[] { Chunk * 6, Chunk * 2 + 1 }.Select((n, i) => Pinned(RandomFloats(n, 1.0, 600 + i, zeroEvery: 3))).ToArray();
        var expected = Run(tensors, PassOperation.Full, threads: 1, out _);
        for (int r = 0; r < 200; r++)
        {
            var actual = Run(tensors, PassOperation.Full, threads: 3, out _);
            Assert.Equal(expected, actual);
        }
    }

    private static GradientMoments[] Run(float[][] tensors, PassOperation operation, int threads, out bool wasParallel)
    {
        var pass = new TensorPass();
        for (int i = 0; i < tensors.Length; i++)
        {
            pass.Add(i, operation, Address(tensors[i]), IntPtr.Zero, tensors[i].Length, isDouble: false);
        }

        var slots = new GradientMoments[tensors.Length];
        pass.Run(slots, threads);
        wasParallel = pass.LastRunParallel;
        return slots;
    }

    private static float[] Pinned(float[] values)
    {
        var pinned = GC.AllocateUninitializedArray<float>(values.Length, pinned: true);
        values.CopyTo(pinned, 0);
        return pinned;
    }

    private static IntPtr Address(float[] pinned) => (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
}
