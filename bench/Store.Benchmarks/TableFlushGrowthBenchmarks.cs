using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Store.Core;
using Store.Core.Tables;

namespace Store.Benchmarks;

/// <summary>
/// Issue 14, flush cost as a table grows: appending one more 20,000-row flush of the energies table
/// (<see cref="EnergyRows"/>) and flushing it, when the table already holds 5 flushes (100,000 rows;
/// the baseline) and when it holds 190 flushes (3,800,000 rows), in Parquet and Arrow IPC. The
/// ratio column is the growth figure (target: at most 1.2). Each iteration is one append + flush;
/// the table keeps growing by one flush per iteration (12 in all, so 5 → 17 and 190 → 202 flushes).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 1)]
public class TableFlushGrowthBenchmarks
{
    /// <summary>Flushes the table holds before the baseline's measured flushes.</summary>
    public const int EarlyFlushes = 5;

    /// <summary>Flushes the table holds before the late measured flushes (3.8 M rows).</summary>
    public const int LateFlushes = 190;

    private EnergyRows _rows = null!;
    private TableStore _store = null!;
    private string _root = "";
    private Table _next = null!;

    /// <summary>The store's disk format.</summary>
    [Params(DiskFormat.Parquet, DiskFormat.Ipc)]
    public DiskFormat Format { get; set; }

    /// <summary>Writes the 5-flush table that <see cref="EarlyFlush"/> grows.</summary>
    [GlobalSetup(Target = nameof(EarlyFlush))]
    public void SetupEarly() => Grow(EarlyFlushes);

    /// <summary>Writes the 190-flush table that <see cref="LateFlush"/> grows.</summary>
    [GlobalSetup(Target = nameof(LateFlush))]
    public void SetupLate() => Grow(LateFlushes);

    /// <summary>Builds the rows of the next flush (not measured).</summary>
    [IterationSetup]
    public void NextRows() => _next = _rows.Next();

    /// <summary>Baseline: append 20,000 rows and flush, into a table of about 100,000 rows.</summary>
    [Benchmark(Baseline = true)]
    public void EarlyFlush() => AppendAndFlush();

    /// <summary>Append 20,000 rows and flush, into a table of about 3,800,000 rows.</summary>
    [Benchmark]
    public void LateFlush() => AppendAndFlush();

    /// <summary>Removes the store's folder.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private void AppendAndFlush()
    {
        _store.Append(EnergyRows.TablePath, _next);
        _store.Flush();
    }

    private void Grow(int flushes)
    {
        _root = Frames.TempRoot($"flush-growth-{Format}-{flushes}");
        _rows = new EnergyRows();
        _store = new TableStore(_root, "w", Format);
        _rows.AppendAndFlush(_store, flushes);

        // Let the disk settle after the setup's writes, so both cases start from a quiet device.
        GC.Collect();
        Thread.Sleep(2000);
    }
}
