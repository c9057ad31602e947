using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Formats.Npy;

namespace Store.Benchmarks;

/// <summary>
/// Writing a trajectory to an NPY file: the store's flush (and append plus flush) against a plain
/// FileStream writing the same header and bytes. Both sides sync to disk once at the end.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15, invocationCount: 1)]
public class FlushBenchmarks
{
    private NdArray[] _frames = [];
    private byte[] _contiguous = [];
    private ArrayStore _store = null!;
    private string _root = "";

    /// <summary>Frames per file.</summary>
    [Params(100_000)]
    public int FrameCount { get; set; }

    /// <summary>Builds the frames and a store whose pool keeps every chunk.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _frames = Frames.Build();
        _root = Frames.TempRoot("flush");
        _store = new ArrayStore(_root, StoreMode.Write, DiskFormat.Npy, new ChunkPool(4L << 30));
        _contiguous = new byte[(long)FrameCount * Frames.FrameBytes];
        for (var i = 0; i < FrameCount; i++)
        {
            _frames[i & 7].Bytes.CopyTo(_contiguous.AsSpan(i * Frames.FrameBytes));
        }
    }

    /// <summary>The same bytes through a FileStream: the NPY header, every frame, one fsync.</summary>
    [Benchmark(Baseline = true)]
    public void FileStreamWrite()
    {
        using var stream = new FileStream(Path.Combine(_root, "baseline.npy"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        stream.Write(NpyHeader.Encode(DType.Float32, [FrameCount, Frames.Atoms, 3]));
        for (var i = 0; i < FrameCount; i++)
        {
            stream.Write(_frames[i & 7].Bytes);
        }

        stream.Flush(flushToDisk: true);
    }

    /// <summary>The strictest baseline: the frames already in one contiguous array, written in 4 MiB pieces, one fsync.</summary>
    [Benchmark]
    public void FileStreamWriteContiguous()
    {
        using var stream = new FileStream(Path.Combine(_root, "contiguous.npy"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        stream.Write(NpyHeader.Encode(DType.Float32, [FrameCount, Frames.Atoms, 3]));
        for (var offset = 0; offset < _contiguous.Length; offset += 4 << 20)
        {
            stream.Write(_contiguous.AsSpan(offset, Math.Min(4 << 20, _contiguous.Length - offset)));
        }

        stream.Flush(flushToDisk: true);
    }

    /// <summary>Buffers the frames (not measured) for <see cref="Flush"/>.</summary>
    [IterationSetup(Target = nameof(Flush))]
    public void AppendFrames()
    {
        _store.Write("trajectory", NdArray.Zeros(DType.Float32, 0, Frames.Atoms, 3));
        for (var i = 0; i < FrameCount; i++)
        {
            _store.Append("trajectory", _frames[i & 7]);
        }
    }

    /// <summary>Flushes the buffered frames into a new NPY file (atomic: temp file, fsync, rename).</summary>
    [Benchmark]
    public void Flush() => _store.Flush();

    /// <summary>Appends every frame, then flushes: the whole cost a producer pays.</summary>
    [Benchmark]
    public void AppendThenFlush()
    {
        _store.Write("trajectory", NdArray.Zeros(DType.Float32, 0, Frames.Atoms, 3));
        for (var i = 0; i < FrameCount; i++)
        {
            _store.Append("trajectory", _frames[i & 7]);
        }

        _store.Flush();
    }

    /// <summary>Removes the store's folder.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
