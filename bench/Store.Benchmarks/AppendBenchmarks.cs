using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Store.Core;
using Store.Core.Arrays;

namespace Store.Benchmarks;

/// <summary>
/// One producer appending frames to one entry, in steady state: the buffer's chunks come back
/// to the pool between iterations, as they do after a flush. Baseline: copying the same frames
/// into one reused array, the fastest anyone could buffer them.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 9, invocationCount: 1)]
public class AppendBenchmarks
{
    private NdArray[] _frames = [];
    private ArrayStore _store = null!;
    private byte[] _reused = [];
    private string _root = "";

    /// <summary>Frames appended per operation.</summary>
    [Params(100_000)]
    public int FrameCount { get; set; }

    /// <summary>Builds the frames, the store (with a pool large enough to keep every chunk) and the reused array.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _frames = Frames.Build();
        _root = Frames.TempRoot("append");
        _store = new ArrayStore(_root, StoreMode.Write, DiskFormat.Npy, new ChunkPool(4L << 30));
        _reused = GC.AllocateUninitializedArray<byte>(FrameCount * Frames.FrameBytes);
        _reused.AsSpan().Clear();
    }

    /// <summary>Copies every frame into one preallocated, already-touched array.</summary>
    [Benchmark(Baseline = true)]
    public void CopyIntoReusedArray()
    {
        for (var i = 0; i < FrameCount; i++)
        {
            _frames[i & 7].Bytes.CopyTo(_reused.AsSpan(i * Frames.FrameBytes));
        }
    }

    /// <summary>Appends every frame to one entry of the store.</summary>
    [Benchmark]
    public void Append()
    {
        for (var i = 0; i < FrameCount; i++)
        {
            _store.Append("trajectory", _frames[i & 7]);
        }
    }

    /// <summary>Empties the entry so its chunks return to the pool, as a flush does.</summary>
    [IterationCleanup(Target = nameof(Append))]
    public void Recycle() => _store.Write("trajectory", NdArray.Zeros(DType.Float32, 0, Frames.Atoms, 3));

    /// <summary>Removes the store's folder.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
