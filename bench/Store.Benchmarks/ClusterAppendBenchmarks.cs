using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Store.Core.Tests;

namespace Store.Benchmarks;

/// <summary>
/// Issue 15: eight producers appending (1000, 3) float32 frames, each to its own array, and 1-row
/// tables, all to one shared table, through a three-node cluster on 127.0.0.1 (plus a client node
/// the producers run on, or with the producers on a store node), against the single-node journaled
/// store (baseline: the default SQLite journal) and the single node on the cluster's PostgreSQL
/// journal. Every append carries a producer id and sequence and is journaled before it is
/// acknowledged; each producer keeps up to <see cref="ClusterAppendSide.Window"/> unacknowledged.
/// Frames and rows are separate categories, each with its own baseline; the Ratio column is time
/// over the baseline's, so the target (the cluster at 50% or more of the single node's
/// throughput) is a Ratio of 2.0 or less. Each case runs in its own process, which starts only its
/// side (and a throwaway PostgreSQL server) and flushes between iterations. Per-append latencies
/// (p50, p99) come from the <c>cluster-append</c> command (<see cref="ClusterAppendReport"/>).
/// Eight warm-up iterations: remoting, sharding and the journal plugin reach the runtime's optimised
/// code only after thousands of calls, and one iteration left its compiler busy through the measured ones.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 8, iterationCount: 5, invocationCount: 1)]
public class ClusterAppendBenchmarks
{
    private PostgresServer? _postgres;
    private ClusterAppendSide _side = null!;

    /// <summary>Frames each producer appends per operation (8 × 200 × 12 kB = 19 MB).</summary>
    public int FramesPerProducer { get; set; } = 200;

    /// <summary>1-row table appends each producer makes per operation.</summary>
    public int RowsPerProducer { get; set; } = 500;

    /// <summary>Starts the single node on SQLite.</summary>
    [GlobalSetup(Targets = new[] { nameof(FramesSingleSqlite), nameof(RowsSingleSqlite) })]
    public void SetupSingleSqlite() => Start(ClusterAppendKind.SingleSqlite);

    /// <summary>Starts PostgreSQL and the single node on it.</summary>
    [GlobalSetup(Targets = new[] { nameof(FramesSinglePostgres), nameof(RowsSinglePostgres) })]
    public void SetupSinglePostgres() => Start(ClusterAppendKind.SinglePostgres);

    /// <summary>Starts PostgreSQL and the cluster, the producers on its client node.</summary>
    [GlobalSetup(Targets = new[] { nameof(FramesCluster), nameof(RowsCluster) })]
    public void SetupCluster() => Start(ClusterAppendKind.ClusterClient);

    /// <summary>Starts PostgreSQL and the cluster, the producers on a store node.</summary>
    [GlobalSetup(Targets = new[] { nameof(FramesClusterStoreNode), nameof(RowsClusterStoreNode) })]
    public void SetupClusterStoreNode() => Start(ClusterAppendKind.ClusterStoreNode);

    /// <summary>Baseline: 8 producers appending frames to the single-node store, journaled in SQLite.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Frames")]
    public Task FramesSingleSqlite() => _side.AppendFramesAsync(FramesPerProducer);

    /// <summary>8 producers appending frames to the single-node store, journaled in PostgreSQL.</summary>
    [Benchmark]
    [BenchmarkCategory("Frames")]
    public Task FramesSinglePostgres() => _side.AppendFramesAsync(FramesPerProducer);

    /// <summary>8 producers on the client node appending frames through the 3-node cluster.</summary>
    [Benchmark]
    [BenchmarkCategory("Frames")]
    public Task FramesCluster() => _side.AppendFramesAsync(FramesPerProducer);

    /// <summary>8 producers on a store node appending frames through the 3-node cluster.</summary>
    [Benchmark]
    [BenchmarkCategory("Frames")]
    public Task FramesClusterStoreNode() => _side.AppendFramesAsync(FramesPerProducer);

    /// <summary>Baseline: 8 producers appending 1-row tables to the single-node store, journaled in SQLite.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Rows")]
    public Task RowsSingleSqlite() => _side.AppendRowsAsync(RowsPerProducer);

    /// <summary>8 producers appending 1-row tables to the single-node store, journaled in PostgreSQL.</summary>
    [Benchmark]
    [BenchmarkCategory("Rows")]
    public Task RowsSinglePostgres() => _side.AppendRowsAsync(RowsPerProducer);

    /// <summary>8 producers on the client node appending 1-row tables through the 3-node cluster.</summary>
    [Benchmark]
    [BenchmarkCategory("Rows")]
    public Task RowsCluster() => _side.AppendRowsAsync(RowsPerProducer);

    /// <summary>8 producers on a store node appending 1-row tables through the 3-node cluster.</summary>
    [Benchmark]
    [BenchmarkCategory("Rows")]
    public Task RowsClusterStoreNode() => _side.AppendRowsAsync(RowsPerProducer);

    /// <summary>Flushes both stores (which trims their journals), outside the measurement.</summary>
    [IterationCleanup]
    public void Flush()
    {
        _side.FlushAsync().GetAwaiter().GetResult();

        // The journal trims itself after a flush in the background; let it finish outside the measurement.
        Thread.Sleep(300);
    }

    /// <summary>Closes the side and stops PostgreSQL.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            _side.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            _postgres?.Dispose();
        }
    }

    private void Start(ClusterAppendKind kind)
    {
        if (kind != ClusterAppendKind.SingleSqlite)
        {
            _postgres = PostgresServer.Start();
        }

        try
        {
            _side = ClusterAppendSide.StartAsync(kind, _postgres?.CreateDatabase("bench")).GetAwaiter().GetResult();
        }
        catch
        {
            _postgres?.Dispose();
            throw;
        }
    }
}
