using System.Globalization;
using System.Runtime;
using Akka.Actor;
using Akka.Configuration;
using Apache.Arrow;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Benchmarks;

/// <summary>
/// Issue 16: the actor store against what the machine does without it. Same workload as
/// <see cref="ActorAppendBenchmarks"/>: 8 producers, (1000, 3) float32 frames (12 kB), each producer
/// to its own array, up to <see cref="Window"/> appends unacknowledged per producer on the store side.
/// Three categories, each with its own baseline, so the Ratio column is time over the baseline's
/// (a store at 70% of the baseline's throughput shows a Ratio of 1.43):
/// <list type="bullet">
/// <item><c>memory</c>: a hand-written chunked buffer under one lock (<see cref="PlainChunkedBuffer"/>:
/// pooled, pre-touched 4 MiB chunks reused across iterations) against the core <see cref="ArrayStore"/>
/// (under one lock, and alone), bare actors copying into such buffers (<see cref="FrameCopyActor"/>)
/// and the <see cref="ArrayActorStore"/> in memory; beside the usual 8 × 64, one producer, a window
/// of 1, and the path actors on the .NET thread pool show where the time goes.</item>
/// <item><c>journal</c>: the frames' bytes written to one file under one lock with an fsync every
/// <see cref="GroupCommit"/> frames, against the same bytes as SQLite BLOB rows through
/// Microsoft.Data.Sqlite (one transaction per <see cref="GroupCommit"/> frames, WAL, synchronous FULL
/// and NORMAL), as events of a bare Akka.Persistence actor on Akka.Persistence.Sql over SQLite (an
/// event per frame, and grouped as the store groups them), and the journaled store (NPY).</item>
/// <item><c>rows</c>: 1-row table appends by 8 producers to one shared table, the journaled store
/// against the core <see cref="TableStore"/> under one lock (issue 16's target: 100 k/s journaled).</item>
/// </list>
/// Each case runs in its own process, which opens only what that case needs; everything lives in a
/// temporary folder removed at the end, and is emptied (or flushed) between iterations. Thirty
/// warm-up operations: the actor cases run on the tiered JIT's first code for their first 13-22
/// iterations (twice as slow as later: with eight warm-ups, up to half the measured iterations were
/// still compiling); each iteration prints the milliseconds compiled during it (<c>// jit:</c>).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 30, iterationCount: 15, invocationCount: 1)]
public class HardwareBaselineBenchmarks
{
    /// <summary>Producers appending at once.</summary>
    public const int Producers = 8;

    /// <summary>Appends each store-side producer keeps unacknowledged.</summary>
    public const int Window = 64;

    /// <summary>Frames per fsync (file) or per transaction (SQLite) on the journal baselines' side.</summary>
    public const int GroupCommit = 64;

    private const string Memory = "memory";
    private const string Journal = "journal";
    private const string Rows = "rows";

    private readonly object _lock = new();
    private readonly string[] _paths = [.. Enumerable.Range(0, Producers).Select(p => $"p{p}")];
    private NdArray[] _frames = [];
    private byte[][] _frameBytes = [];
    private Table[] _rows = [];
    private string _root = "";

    // memory
    private Stack<byte[]>? _chunkPool;
    private PlainChunkedBuffer[] _buffers = [];
    private ArrayStore? _coreArrays;
    private ArrayActorStore? _arraysNone;
    private ActorSystem? _storeSystem; // the actor system of a store opened in one of ours
    private IActorRef[] _copyActors = [];

    // journal
    private FileStream? _file;
    private long _fileFrames;
    private SqliteConnection? _sqlite;
    private SqliteCommand? _insert;
    private SqliteTransaction? _transaction;
    private long _sqliteFrames;
    private ActorSystem? _akka;
    private IActorRef[] _journalActors = [];
    private ArrayActorStore? _arraysJournal;
    private string? _journalFile; // the SQLite journal whose rows are counted per iteration
    private long _journalRows = -1;
    private TimeSpan _compiledBefore; // the JIT's compilation time when the iteration began

    // rows
    private TableStore? _coreTables;
    private TableActorStore? _tablesNone;
    private TableActorStore? _tablesJournal;

    /// <summary>Frames each producer appends per operation in memory (8 × 4000 × 12 kB = 384 MB).</summary>
    public int FramesPerProducer { get; set; } = 4_000;

    /// <summary>Frames each producer appends per operation on the journal side (8 × 500 × 12 kB = 48 MB).</summary>
    public int JournalFramesPerProducer { get; set; } = 500;

    /// <summary>1-row table appends each producer makes per operation.</summary>
    public int RowsPerProducer { get; set; } = 2_500;

    /// <summary>Frames appended per operation in memory (for frames/s and allocations per append).</summary>
    public int FramesPerOperation => Producers * FramesPerProducer;

    /// <summary>The hand-written buffer: one per producer, and enough pre-touched chunks for one operation.</summary>
    [GlobalSetup(Target = nameof(LockedChunkBuffer))]
    public void SetupBuffer()
    {
        Build();
        var perProducer = (int)((((long)FramesPerProducer * Frames.FrameBytes) + PlainChunkedBuffer.ChunkBytes - 1) / PlainChunkedBuffer.ChunkBytes);
        _chunkPool = new Stack<byte[]>(Enumerable.Range(0, Producers * perProducer).Select(_ => PlainChunkedBuffer.TouchedChunk()));
        _buffers = [.. Enumerable.Range(0, Producers).Select(_ => new PlainChunkedBuffer(_chunkPool))];
    }

    /// <summary>An actor system with one <see cref="FrameCopyActor"/> per producer, each with its own buffer and pre-touched chunks.</summary>
    [GlobalSetup(Target = nameof(ActorsBare))]
    public void SetupBareActors()
    {
        SetupBuffer();
        var perProducer = _chunkPool!.Count / Producers;
        _buffers = [.. Enumerable.Range(0, Producers).Select(_ => new PlainChunkedBuffer(new Stack<byte[]>(Enumerable.Range(0, perProducer).Select(_ => _chunkPool.Pop()))))];
        _akka = ActorSystem.Create("frames-copy", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        _copyActors = [.. _buffers.Select((buffer, p) => _akka.ActorOf(FrameCopyActor.Props(buffer), _paths[p]))];
    }

    /// <summary>The core array store in memory.</summary>
    [GlobalSetup(Targets = [nameof(CoreStoreLocked), nameof(CoreStore)])]
    public void SetupCoreArrays()
    {
        Build();
        _coreArrays = ArrayStore.InMemory();
    }

    /// <summary>The actor store in memory.</summary>
    [GlobalSetup(Targets = [nameof(ActorsNone), nameof(ActorsNoneWindow1), nameof(ActorsNoneOneProducer), nameof(ActorsNoneRented)])]
    public void SetupActorsNone()
    {
        Build();
        _arraysNone = ArrayActorStore.Open(ActorStoreOptions.InMemory);
    }

    /// <summary>
    /// The actor store in memory, in an actor system whose <c>store.io-dispatcher</c> runs on the .NET
    /// thread pool instead of its own 4 threads (a configuration change, no code).
    /// </summary>
    [GlobalSetup(Target = nameof(ActorsNoneThreadPool))]
    public void SetupActorsNoneThreadPool()
    {
        Build();
        var options = ActorStoreOptions.InMemory;
        var config = ConfigurationFactory.ParseString("store.io-dispatcher { type = Dispatcher\nexecutor = thread-pool-executor\nthroughput = 100 }")
            .WithFallback(StoreActorConfig.For(options));
        _storeSystem = ActorSystem.Create("store-thread-pool", config);
        _arraysNone = ArrayActorStore.Open(_storeSystem, options);
    }

    /// <summary>One file, written unbuffered.</summary>
    [GlobalSetup(Target = nameof(FileFsync64))]
    public void SetupFile()
    {
        Build();
        _file = new FileStream(Path.Combine(_root, "frames.bin"), new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0,
        });
    }

    /// <summary>A SQLite file in WAL mode, synchronous FULL (an fsync of the WAL at every commit).</summary>
    [GlobalSetup(Target = nameof(SqliteFull64))]
    public void SetupSqliteFull() => OpenSqlite("FULL");

    /// <summary>A SQLite file in WAL mode, synchronous NORMAL (the WAL is synced at checkpoints only).</summary>
    [GlobalSetup(Target = nameof(SqliteNormal64))]
    public void SetupSqliteNormal() => OpenSqlite("NORMAL");

    /// <summary>An actor system journaling in a SQLite file through Akka.Persistence.Sql, configured as the store configured it before its own plugins, and one persistent actor per producer.</summary>
    [GlobalSetup(Target = nameof(AkkaSqlJournal))]
    public void SetupAkkaPerFrame() => SetupAkka(grouped: false, storePlugin: false);

    /// <summary>As <see cref="SetupAkkaPerFrame"/>, the actors grouping frames into events as the store's path actors do.</summary>
    [GlobalSetup(Target = nameof(AkkaSqlJournalGrouped))]
    public void SetupAkkaGrouped() => SetupAkka(grouped: true, storePlugin: false);

    /// <summary>As <see cref="SetupAkkaGrouped"/>, on the store's own SQLite journal plugin (<c>StoreActorConfig.WithJournal</c>).</summary>
    [GlobalSetup(Target = nameof(StoreSqliteJournalGrouped))]
    public void SetupStorePluginGrouped() => SetupAkka(grouped: true, storePlugin: true);

    private void SetupAkka(bool grouped, bool storePlugin)
    {
        Build();
        var quiet = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        _journalFile = Path.Combine(_root, "akka-journal.db");
        var journal = StoreActorConfig.SqliteJournal(_journalFile);
        _akka = ActorSystem.Create("frames-journal", storePlugin
            ? StoreActorConfig.WithJournal(quiet, journal, "SQLite.MS")
            : StoreActorConfig.WithSqlPersistenceJournal(quiet, journal, "SQLite.MS"));
        _journalActors = [.. _paths.Select(p => _akka.ActorOf(FrameJournalActor.Props($"frames|{p}", grouped), p))];
        Task.WaitAll([.. _journalActors.Select(a => a.Ask<FrameJournalActor.Ping>(FrameJournalActor.Ping.Instance, TimeSpan.FromMinutes(1)))]);
        Console.WriteLine($"// SQLite default synchronous on a new connection: {DefaultSynchronous(journal)} (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA)");
    }

    /// <summary>The journaled actor store, NPY.</summary>
    [GlobalSetup(Target = nameof(ActorsJournal))]
    public void SetupActorsJournal()
    {
        Build();
        _arraysJournal = ArrayActorStore.Open(Journaled("arrays", DiskFormat.Npy));
        _journalFile = Path.Combine(_root, "arrays", ActorStoreOptions.DefaultJournalFile);
    }

    /// <summary>The core table store in memory.</summary>
    [GlobalSetup(Target = nameof(RowsLocked))]
    public void SetupCoreTables()
    {
        Build();
        _coreTables = TableStore.InMemory();
    }

    /// <summary>The actor table store in memory.</summary>
    [GlobalSetup(Target = nameof(RowsActorsNone))]
    public void SetupTablesNone()
    {
        Build();
        _tablesNone = TableActorStore.Open(ActorStoreOptions.InMemory);
    }

    /// <summary>The journaled actor table store, Parquet.</summary>
    [GlobalSetup(Target = nameof(RowsActorsJournal))]
    public void SetupTablesJournal()
    {
        Build();
        _tablesJournal = TableActorStore.Open(Journaled("tables", DiskFormat.Parquet));
        _journalFile = Path.Combine(_root, "tables", ActorStoreOptions.DefaultJournalFile);
    }

    /// <summary>Baseline (memory): 8 threads copying frames into a hand-written chunked buffer each, one lock around each append.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Memory)]
    public void LockedChunkBuffer() => Parallel.For(0, Producers, producer =>
    {
        var buffer = _buffers[producer];
        for (var i = 0; i < FramesPerProducer; i++)
        {
            var frame = _frameBytes[i & 7];
            lock (_lock)
            {
                buffer.Append(frame);
            }
        }
    });

    /// <summary>8 threads appending frames to the core array store, one lock around each append (ActorAppendBenchmarks' baseline).</summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public void CoreStoreLocked() => Parallel.For(0, Producers, producer =>
    {
        for (var i = 0; i < FramesPerProducer; i++)
        {
            lock (_lock)
            {
                _coreArrays!.Append(_paths[producer], _frames[i & 7]);
            }
        }
    });

    /// <summary>8 threads appending frames to the core array store, no lock of ours (each entry has its own).</summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public void CoreStore() => Parallel.For(0, Producers, producer =>
    {
        for (var i = 0; i < FramesPerProducer; i++)
        {
            _coreArrays!.Append(_paths[producer], _frames[i & 7]);
        }
    });

    /// <summary>The issue's figure: 8 producers appending frames through the actor store in memory, 64 in flight each.</summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public Task ActorsNone() => AppendFrames(_arraysNone!, Producers, FramesPerProducer, Window);

    /// <summary>
    /// As <see cref="ActorsNone"/>, each frame rented from the store (<see cref="ArrayActorStore.RentAsync{T}"/>),
    /// filled and handed over: the ownership hand-off, with no array of the caller's own per frame.
    /// </summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public Task ActorsNoneRented() => Task.WhenAll(Enumerable.Range(0, Producers).Select(producer =>
        Pipelined(FramesPerProducer, Window, i =>
        {
            // Renting waits only while the store is full (never here: 8 x 64 frames in flight are ~6 MB).
            var frame = _arraysNone!.RentAsync<float>(1, Frames.Atoms, 3).GetAwaiter().GetResult();
            _frames[i & 7].Bytes.CopyTo(frame.Data.Bytes);
            return _arraysNone.AppendAsync(_paths[producer], frame);
        })));

    /// <summary>8 producers through the actor store in memory, each waiting for every acknowledgement (window 1).</summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public Task ActorsNoneWindow1() => AppendFrames(_arraysNone!, Producers, FramesPerProducer, 1);

    /// <summary>One producer appending all the frames (8 × as many) to one path through the actor store in memory, 64 in flight.</summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public Task ActorsNoneOneProducer() => AppendFrames(_arraysNone!, 1, FramesPerOperation, Window);

    /// <summary>
    /// 8 producers each sending frames to an actor of its own that copies them into a hand-written
    /// buffer (<see cref="FrameCopyActor"/>), one message and one acknowledgement per frame, 64 in
    /// flight: what one actor per path costs with nothing of the store around it.
    /// </summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public Task ActorsBare() => Task.WhenAll(Enumerable.Range(0, Producers).Select(producer =>
        Pipelined(FramesPerProducer, Window, i =>
        {
            var copied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _copyActors[producer].Tell(new FrameCopyActor.CopyFrame(_frameBytes[i & 7], copied));
            return copied.Task;
        })));

    /// <summary>As <see cref="ActorsNone"/>, the path actors on the .NET thread pool instead of the store's 4 dedicated threads.</summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public Task ActorsNoneThreadPool() => AppendFrames(_arraysNone!, Producers, FramesPerProducer, Window);

    /// <summary>
    /// Baseline (journal): 8 threads writing the frames' bytes to one file, one after another under
    /// one lock, and the writer of every 64th frame fsyncing the file before it lets go of the lock.
    /// </summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Journal)]
    public void FileFsync64()
    {
        Parallel.For(0, Producers, producer =>
        {
            for (var i = 0; i < JournalFramesPerProducer; i++)
            {
                var frame = _frameBytes[i & 7];
                lock (_lock)
                {
                    _file!.Write(frame);
                    if (++_fileFrames % GroupCommit == 0)
                    {
                        _file.Flush(flushToDisk: true);
                    }
                }
            }
        });

        if (_fileFrames % GroupCommit != 0)
        {
            _file!.Flush(flushToDisk: true);
        }
    }

    /// <summary>The same frames as BLOB rows of one SQLite table (WAL, synchronous FULL), one connection under one lock, a commit every 64 frames.</summary>
    [Benchmark]
    [BenchmarkCategory(Journal)]
    public void SqliteFull64() => InsertFrames();

    /// <summary>As <see cref="SqliteFull64"/> with synchronous NORMAL: commits do not sync the WAL (not durable across a power loss).</summary>
    [Benchmark]
    [BenchmarkCategory(Journal)]
    public void SqliteNormal64() => InsertFrames();

    /// <summary>8 producers, each frame one event of a bare persistent actor per producer (Akka.Persistence.Sql on SQLite, as the store configured it before its own plugins), 64 in flight each.</summary>
    [Benchmark]
    [BenchmarkCategory(Journal)]
    public Task AkkaSqlJournal() => PersistFrames();

    /// <summary>
    /// As <see cref="AkkaSqlJournal"/>, but each actor writes one event at a time: the frames that
    /// arrived during the previous write, concatenated (the store's group commit, without the store).
    /// </summary>
    [Benchmark]
    [BenchmarkCategory(Journal)]
    public Task AkkaSqlJournalGrouped() => PersistFrames();

    /// <summary>As <see cref="AkkaSqlJournalGrouped"/>, on the store's own SQLite journal (what its path actors journal through).</summary>
    [Benchmark]
    [BenchmarkCategory(Journal)]
    public Task StoreSqliteJournalGrouped() => PersistFrames();

    /// <summary>8 producers appending frames through the journaled actor store (NPY), each acknowledged once journaled, 64 in flight each.</summary>
    [Benchmark]
    [BenchmarkCategory(Journal)]
    public Task ActorsJournal() => AppendFrames(_arraysJournal!, Producers, JournalFramesPerProducer, Window);

    /// <summary>Baseline (rows): 8 threads appending 1-row tables to the core table store, one lock around each append.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Rows)]
    public void RowsLocked() => Parallel.For(0, Producers, producer =>
    {
        for (var i = 0; i < RowsPerProducer; i++)
        {
            lock (_lock)
            {
                _coreTables!.Append("energies", _rows[i & 7]);
            }
        }
    });

    /// <summary>8 producers appending 1-row tables to one table through the actor store in memory, 64 in flight each.</summary>
    [Benchmark]
    [BenchmarkCategory(Rows)]
    public Task RowsActorsNone() => AppendRows(_tablesNone!);

    /// <summary>8 producers appending 1-row tables to one table through the journaled actor store (Parquet), 64 in flight each.</summary>
    [Benchmark]
    [BenchmarkCategory(Rows)]
    public Task RowsActorsJournal() => AppendRows(_tablesJournal!);

    /// <summary>Notes the JIT's compilation time so far, for the iteration's <c>// jit:</c> line.</summary>
    [IterationSetup]
    public void MarkCompilation() => _compiledBefore = JitInfo.GetCompilationTime();

    /// <summary>
    /// Prints the milliseconds compiled while the iteration ran (on any thread: the tiered compiler's
    /// background promotions of cleanup code land here too, so a warm case shows mostly zeros and a
    /// few tens of ms at most), then empties what the case appended to (buffers back to their pools), or
    /// flushes the journaled stores (which trims their journals).
    /// </summary>
    [IterationCleanup]
    public void Reset()
    {
        var compiled = (JitInfo.GetCompilationTime() - _compiledBefore).TotalMilliseconds;
        Console.WriteLine($"// jit: {compiled.ToString("F1", CultureInfo.InvariantCulture)} ms compiled during the iteration");
        foreach (var buffer in _buffers)
        {
            buffer.Clear();
        }

        foreach (var path in _paths)
        {
            _coreArrays?.Write(path, EmptyFrames());
        }

        if (_arraysNone is { } arraysNone)
        {
            Task.WaitAll([.. _paths.Select(p => arraysNone.WriteAsync(p, EmptyFrames()))]);
        }

        if (_file is { } file)
        {
            file.SetLength(0);
            file.Position = 0;
            file.Flush(flushToDisk: true);
            _fileFrames = 0;
        }

        if (_sqlite is { } sqlite)
        {
            Execute(sqlite, "DELETE FROM frames; PRAGMA wal_checkpoint(TRUNCATE);");
            _sqliteFrames = 0;
        }

        if (_journalFile is not null)
        {
            ReportJournalEvents(_tablesJournal is not null ? Producers * RowsPerProducer : Producers * JournalFramesPerProducer);
        }

        if (_akka is not null && _journalActors.Length > 0)
        {
            Task.WaitAll([.. _journalActors.Select(a => a.Ask<FrameJournalActor.Ping>(FrameJournalActor.TrimJournal.Instance, TimeSpan.FromMinutes(1)))]);
        }

        if (_arraysJournal is { } arraysJournal)
        {
            arraysJournal.FlushAsync().GetAwaiter().GetResult();
        }

        if (_coreTables is not null)
        {
            _coreTables.Dispose();
            _coreTables = TableStore.InMemory();
        }

        _tablesNone?.WriteAsync("energies", Table.Empty(_rows[0].Schema)).GetAwaiter().GetResult();
        if (_tablesJournal is { } tablesJournal)
        {
            tablesJournal.FlushAsync().GetAwaiter().GetResult();
        }

        if (_arraysJournal is not null || _tablesJournal is not null || _journalActors.Length > 0)
        {
            // Journals trim themselves after a flush in the background; let that finish outside the measurement.
            Thread.Sleep(300);
        }

        if (_journalFile is not null)
        {
            _journalRows = JournalRows();
        }
    }

    /// <summary>Stops what the case opened and removes the folder.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var store in new ActorStore?[] { _arraysNone, _arraysJournal, _tablesNone, _tablesJournal })
        {
            store?.Dispose();
        }

        _coreArrays?.Dispose();
        _coreTables?.Dispose();
        _file?.Dispose();
        _insert?.Dispose();
        _transaction?.Dispose();
        _sqlite?.Dispose();
        _akka?.Terminate().Wait(TimeSpan.FromSeconds(30));
        _storeSystem?.Terminate().Wait(TimeSpan.FromSeconds(30));
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    // The frames (as arrays and as their raw bytes), the rows and a fresh folder.
    private void Build()
    {
        _frames = Frames.Build();
        _frameBytes = [.. _frames.Select(f => f.Bytes.ToArray())];
        _rows = [.. Enumerable.Range(0, 8).Select(i => Table.FromColumns(
            ("micro_id", new Int64Array.Builder().Append(i).Build()),
            ("energy", new DoubleArray.Builder().Append(i * 0.5).Build())))];
        _root = Frames.TempRoot("hardware");
        Directory.CreateDirectory(_root);
    }

    private static NdArray EmptyFrames() => NdArray.Zeros(DType.Float32, 0, Frames.Atoms, 3);

    private ActorStoreOptions Journaled(string name, DiskFormat format) => new()
    {
        Root = Path.Combine(_root, name), Mode = "w", DiskFormat = format, Durability = Durability.Journal, MaxBufferedBytes = 1L << 30,
    };

    private void OpenSqlite(string synchronous)
    {
        Build();
        _sqlite = new SqliteConnection($"Data Source={Path.Combine(_root, "frames.db")};Pooling=False");
        _sqlite.Open();
        Execute(_sqlite, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; " +
            "CREATE TABLE frames (id INTEGER PRIMARY KEY, producer INTEGER NOT NULL, sequence INTEGER NOT NULL, data BLOB NOT NULL);");
        _insert = _sqlite.CreateCommand();
        _insert.CommandText = "INSERT INTO frames (producer, sequence, data) VALUES ($producer, $sequence, $data)";
        _insert.Parameters.Add("$producer", SqliteType.Integer);
        _insert.Parameters.Add("$sequence", SqliteType.Integer);
        _insert.Parameters.Add("$data", SqliteType.Blob);
    }

    // 8 threads inserting frames over the one connection, one at a time under the lock; the inserter of every 64th commits.
    private void InsertFrames()
    {
        Parallel.For(0, Producers, producer =>
        {
            for (var i = 0; i < JournalFramesPerProducer; i++)
            {
                lock (_lock)
                {
                    _transaction ??= _sqlite!.BeginTransaction();
                    _insert!.Transaction = _transaction;
                    _insert.Parameters[0].Value = producer;
                    _insert.Parameters[1].Value = i;
                    _insert.Parameters[2].Value = _frameBytes[i & 7];
                    _insert.ExecuteNonQuery();
                    if (++_sqliteFrames % GroupCommit == 0)
                    {
                        CommitFrames();
                    }
                }
            }
        });

        if (_transaction is not null)
        {
            CommitFrames();
        }
    }

    private void CommitFrames()
    {
        _transaction!.Commit();
        _transaction.Dispose();
        _transaction = null;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long DefaultSynchronous(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        return (long)command.ExecuteScalar()!;
    }

    // Rows in the journal table of the case's SQLite journal (-1 when it cannot be read).
    private long JournalRows()
    {
        try
        {
            using var connection = new SqliteConnection($"Data Source={_journalFile};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM journal";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException e)
        {
            Console.WriteLine($"// journal rows of {_journalFile}: {e.Message}");
            return -1;
        }
    }

    // How many journal events (rows) were written for the appends of the iteration just measured: the group commits.
    private void ReportJournalEvents(int appends)
    {
        var rows = JournalRows();
        if (_journalRows >= 0 && rows >= 0)
        {
            var events = rows - _journalRows;
            Console.WriteLine($"// journal: {events} events for {appends} appends ({(events > 0 ? (double)appends / events : 0):F1} appends per event)");
        }
    }

    private Task PersistFrames() => Task.WhenAll(Enumerable.Range(0, Producers).Select(producer =>
        Pipelined(JournalFramesPerProducer, Window, i =>
        {
            var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _journalActors[producer].Tell(new FrameJournalActor.PersistFrame(_frameBytes[i & 7], stored));
            return stored.Task;
        })));

    private Task AppendFrames(ArrayActorStore store, int producers, int framesPerProducer, int window) =>
        Task.WhenAll(Enumerable.Range(0, producers).Select(producer =>
            Pipelined(framesPerProducer, window, i => store.AppendAsync(_paths[producer], _frames[i & 7]))));

    private Task AppendRows(TableActorStore store) => Task.WhenAll(Enumerable.Range(0, Producers).Select(_ =>
        Pipelined(RowsPerProducer, Window, i => store.AppendAsync("energies", _rows[i & 7]))));

    // Sends count appends in order, with at most window of them unacknowledged.
    private static async Task Pipelined(int count, int window, Func<int, Task> append)
    {
        var inFlight = new Queue<Task>(window);
        for (var i = 0; i < count; i++)
        {
            if (inFlight.Count == window)
            {
                await inFlight.Dequeue().ConfigureAwait(false);
            }

            inFlight.Enqueue(append(i));
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }
}
