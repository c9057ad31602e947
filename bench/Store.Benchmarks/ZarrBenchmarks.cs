using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Formats.Zarr;

namespace Store.Benchmarks;

/// <summary>
/// 10,000 frames of (1000, 3) float32 appended to a new Zarr array and flushed (v2 and v3, with
/// the compressor of the run), against a FileStream writing the same bytes (one fsync) and
/// zarr-python 2.13 appending the same frames in batches of 100 into a v2 array with the same
/// chunks (fsyncing every file, as the store does). zarr-python runs as a long-lived process told
/// over stdin to write, so its start-up is not measured.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 9, invocationCount: 1)]
public class ZarrBenchmarks
{
    private static readonly ChunkPool Pool = new(4L << 30);

    private NdArray[] _frames = [];
    private string _root = "";
    private ArrayStore? _v2;
    private ArrayStore? _v3;
    private Process _python = null!;

    /// <summary>Frames per array.</summary>
    [Params(10_000)]
    public int FrameCount { get; set; }

    /// <summary>The chunk compressor of both the store and zarr-python.</summary>
    [Params(ZarrCompressor.None, ZarrCompressor.Zstd)]
    public ZarrCompressor Compressor { get; set; }

    /// <summary>Builds the frames, the stores and the zarr-python process.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _frames = Frames.Build();
        _root = Frames.TempRoot($"zarr-{Compressor}");
        OpenStores();

        var framesFile = Path.Combine(_root, "frames.npy");
        using (var numpy = new ArrayStore(_root, StoreMode.Append, DiskFormat.Npy))
        {
            for (var i = 0; i < FrameCount; i++)
            {
                numpy.Append("frames", _frames[i & 7]);
            }
        }

        var chunkRows = ZarrChunkRows();
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "zarr_python_writer.py"), framesFile, Path.Combine(_root, "python"), chunkRows.ToString(), Compressor == ZarrCompressor.Zstd ? "zstd" : "none" })
        {
            start.ArgumentList.Add(argument);
        }

        _python = Process.Start(start)!;
        if (_python.StandardOutput.ReadLine() != "ready")
        {
            throw new InvalidOperationException("zarr_python_writer.py did not start (is python3-zarr installed?)");
        }
    }

    /// <summary>The same bytes through a FileStream, frame by frame, one fsync.</summary>
    [Benchmark(Baseline = true)]
    public void FileStreamWrite()
    {
        using var stream = new FileStream(Path.Combine(_root, "baseline.bin"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (var i = 0; i < FrameCount; i++)
        {
            stream.Write(_frames[i & 7].Bytes);
        }

        stream.Flush(flushToDisk: true);
    }

    /// <summary>Starts each store run from an empty root (mode w clears it).</summary>
    [IterationSetup(Targets = [nameof(StoreZarrV2), nameof(StoreZarrV3)])]
    public void OpenStores()
    {
        _v2?.Dispose();
        _v3?.Dispose();
        _v2 = new ArrayStore(Path.Combine(_root, "v2"), StoreMode.Write, DiskFormat.Zarr, Pool, new ZarrOptions { Version = 2, Compressor = Compressor });
        _v3 = new ArrayStore(Path.Combine(_root, "v3"), StoreMode.Write, DiskFormat.Zarr, Pool, new ZarrOptions { Version = 3, Compressor = Compressor });
    }

    /// <summary>Appends every frame to a Zarr v2 array, then flushes it.</summary>
    [Benchmark]
    public void StoreZarrV2() => AppendThenFlush(_v2!);

    /// <summary>Appends every frame to a Zarr v3 array, then flushes it.</summary>
    [Benchmark]
    public void StoreZarrV3() => AppendThenFlush(_v3!);

    /// <summary>zarr-python 2.13 appending the frames in batches of 100 to a v2 array with the same chunks.</summary>
    [Benchmark]
    public void ZarrPythonV2()
    {
        _python.StandardInput.WriteLine("run");
        _python.StandardInput.Flush();
        if (_python.StandardOutput.ReadLine() != "done")
        {
            throw new InvalidOperationException("zarr_python_writer.py failed");
        }
    }

    /// <summary>Stops zarr-python and removes the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _python.StandardInput.Close();
        _python.WaitForExit();
        _v2?.Dispose();
        _v3?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static int ZarrChunkRows() => new ZarrOptions().TargetChunkBytes / Frames.FrameBytes;

    private void AppendThenFlush(ArrayStore store)
    {
        for (var i = 0; i < FrameCount; i++)
        {
            store.Append("trajectory", _frames[i & 7]);
        }

        store.Flush();
    }
}

/// <summary>
/// The cost of flushing 100 new frames at a time into a Zarr array that already holds 9 or 99 such
/// flushes, measured over 10 consecutive flushes (so chunk boundaries fall alike in both): it must
/// not grow with the array, since only the open chunk and new chunks are written.
/// </summary>
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15, invocationCount: 1)]
public class ZarrGrowthBenchmarks
{
    private const int FramesPerFlush = 100;
    private const int MeasuredFlushes = 10;

    private NdArray[] _frames = [];
    private string _root = "";
    private ArrayStore? _store;

    /// <summary>The first of the measured flushes into the array.</summary>
    [Params(10, 100)]
    public int FlushNumber { get; set; }

    /// <summary>Builds the frames.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _frames = Frames.Build();
        _root = Frames.TempRoot($"zarr-growth-{FlushNumber}");
    }

    /// <summary>A fresh array with FlushNumber - 1 flushes of 100 frames behind it.</summary>
    [IterationSetup]
    public void Grow()
    {
        _store?.Dispose();
        _store = new ArrayStore(_root, StoreMode.Write, DiskFormat.Zarr);
        for (var flush = 1; flush < FlushNumber; flush++)
        {
            AppendAndFlush();
        }

        // Let the disk settle after the setup's writes, so both cases start from a quiet device.
        GC.Collect();
        Thread.Sleep(1000);
    }

    /// <summary>Ten flushes of 100 new frames each.</summary>
    [Benchmark]
    public void TenFlushes()
    {
        for (var flush = 0; flush < MeasuredFlushes; flush++)
        {
            AppendAndFlush();
        }
    }

    /// <summary>Removes the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private void AppendAndFlush()
    {
        for (var i = 0; i < FramesPerFlush; i++)
        {
            _store!.Append("trajectory", _frames[i & 7]);
        }

        _store!.Flush();
    }
}
