using Apache.Arrow;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Benchmarks;

/// <summary>
/// Eight producers appending at once through the actor store, without and with the journal, against
/// the same producers appending to an in-process store under one lock (what a user would write
/// instead). Frames are (1000, 3) float32, each producer to its own array (a run's trajectory);
/// small appends are 1-row tables, all to one shared table (the runs' energies). Each producer
/// keeps up to <see cref="Window"/> appends awaiting acknowledgement, as a producer that does not
/// block on each one would.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 9, invocationCount: 1)]
public class ActorAppendBenchmarks
{
    private const int Producers = 8;
    private const int Window = 64;
    private readonly object _lock = new();
    private NdArray[] _frames = [];
    private Table[] _rows = [];
    private string _root = "";
    private ArrayStore _lockedArrays = null!;
    private TableStore _lockedTables = null!;
    private ArrayActorStore _arraysNone = null!;
    private ArrayActorStore _arraysJournal = null!;
    private TableActorStore _tablesNone = null!;
    private TableActorStore _tablesJournal = null!;

    /// <summary>Frames each producer appends per operation (8 × 500 × 12 kB = 48 MB).</summary>
    public int FramesPerProducer { get; set; } = 500;

    /// <summary>1-row table appends each producer makes per operation.</summary>
    public int RowsPerProducer { get; set; } = 2_500;

    /// <summary>Builds the frames, rows and stores.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _frames = Frames.Build();
        _rows = [.. Enumerable.Range(0, 8).Select(i => Table.FromColumns(
            ("micro_id", new Int64Array.Builder().Append(i).Build()),
            ("energy", new DoubleArray.Builder().Append(i * 0.5).Build())))];
        _root = Frames.TempRoot("actors");
        _lockedArrays = ArrayStore.InMemory();
        _lockedTables = TableStore.InMemory();
        _arraysNone = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        _tablesNone = TableActorStore.Open(ActorStoreOptions.InMemory);
        _arraysJournal = ArrayActorStore.Open(Journaled("arrays"));
        _tablesJournal = TableActorStore.Open(Journaled("tables"));
    }

    /// <summary>Baseline: 8 threads appending frames to an in-memory store, one lock around each append.</summary>
    [Benchmark(Baseline = true)]
    public void FramesLocked() => Parallel.For(0, Producers, producer =>
    {
        for (var i = 0; i < FramesPerProducer; i++)
        {
            lock (_lock)
            {
                _lockedArrays.Append($"p{producer}", _frames[i & 7]);
            }
        }
    });

    /// <summary>8 producers appending frames through the actor store, memory only.</summary>
    [Benchmark]
    public Task FramesActorsNone() => AppendFrames(_arraysNone);

    /// <summary>8 producers appending frames through the actor store, each acknowledged after it is journaled.</summary>
    [Benchmark]
    public Task FramesActorsJournal() => AppendFrames(_arraysJournal);

    /// <summary>8 threads appending 1-row tables to an in-memory store, one lock around each append.</summary>
    [Benchmark]
    public void RowsLocked() => Parallel.For(0, Producers, producer =>
    {
        for (var i = 0; i < RowsPerProducer; i++)
        {
            lock (_lock)
            {
                _lockedTables.Append("energies", _rows[i & 7]);
            }
        }
    });

    /// <summary>8 producers appending 1-row tables through the actor store, memory only.</summary>
    [Benchmark]
    public Task RowsActorsNone() => AppendRows(_tablesNone);

    /// <summary>8 producers appending 1-row tables through the actor store, each journaled before acknowledgement.</summary>
    [Benchmark]
    public Task RowsActorsJournal() => AppendRows(_tablesJournal);

    /// <summary>Empties the in-memory stores and flushes the journaled ones (which trims their journals).</summary>
    [IterationCleanup]
    public void Reset()
    {
        for (var producer = 0; producer < Producers; producer++)
        {
            _lockedArrays.Write($"p{producer}", NdArray.Zeros(DType.Float32, 0, Frames.Atoms, 3));
        }

        _lockedTables.Dispose();
        _lockedTables = TableStore.InMemory();
        Task.WaitAll(
            ResetActors(_arraysNone, p => _arraysNone.WriteAsync(p, NdArray.Zeros(DType.Float32, 0, Frames.Atoms, 3))),
            _tablesNone.WriteAsync("energies", Table.Empty(_rows[0].Schema)),
            _arraysJournal.FlushAsync(),
            _tablesJournal.FlushAsync());

        // The journal trims itself after a flush in the background; let it finish outside the measurement.
        Thread.Sleep(300);
    }

    /// <summary>Stops the stores and removes the folder.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var store in new ActorStore[] { _arraysNone, _tablesNone, _arraysJournal, _tablesJournal })
        {
            store.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    private ActorStoreOptions Journaled(string name) => new()
    {
        Root = Path.Combine(_root, name), Mode = "w", DiskFormat = name == "arrays" ? DiskFormat.Npy : DiskFormat.Parquet,
        Durability = Durability.Journal, MaxBufferedBytes = 1L << 30,
    };

    private Task AppendFrames(ArrayActorStore store) => Task.WhenAll(Enumerable.Range(0, Producers).Select(producer =>
        Pipelined(FramesPerProducer, i => store.AppendAsync($"p{producer}", _frames[i & 7]))));

    private Task AppendRows(TableActorStore store) => Task.WhenAll(Enumerable.Range(0, Producers).Select(producer =>
        Pipelined(RowsPerProducer, i => store.AppendAsync("energies", _rows[i & 7]))));

    // Sends count appends in order, with at most Window of them unacknowledged.
    private static async Task Pipelined(int count, Func<int, Task<IndexRange>> append)
    {
        var inFlight = new Queue<Task<IndexRange>>(Window);
        for (var i = 0; i < count; i++)
        {
            if (inFlight.Count == Window)
            {
                await inFlight.Dequeue().ConfigureAwait(false);
            }

            inFlight.Enqueue(append(i));
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private static Task ResetActors(ActorStore store, Func<string, Task> reset) =>
        Task.WhenAll(Enumerable.Range(0, Producers).Select(p => reset($"p{p}")));
}
