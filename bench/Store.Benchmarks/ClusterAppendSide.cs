using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Apache.Arrow;
using Npgsql;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Table = Store.Core.Tables.Table;

namespace Store.Benchmarks;

/// <summary>
/// One side of the cluster benchmark (issue 15): an array store and a table store that eight
/// producers append to, and everything behind them (for <see cref="ClusterAppendKind.RawPostgres"/>,
/// no store: the producers insert into PostgreSQL themselves), started fresh in a temporary folder and removed
/// by <see cref="DisposeAsync"/>. Frames are (1000, 3) float32, each producer to its own array
/// <c>p&lt;n&gt;</c>; rows are 1-row tables, all to the shared table <c>energies</c>; every append
/// carries the producer's id and a growing sequence number, and each producer keeps up to
/// <see cref="Window"/> appends unacknowledged. All sides journal every append before its
/// acknowledgement; none is flushed while measured.
/// </summary>
public sealed class ClusterAppendSide : IAsyncDisposable
{
    /// <summary>Producers appending at once.</summary>
    public const int Producers = 8;

    /// <summary>Appends each producer keeps awaiting acknowledgement (as in <see cref="ActorAppendBenchmarks"/>).</summary>
    public const int Window = 64;

    /// <summary>Store nodes of a cluster side (the cluster also has one client-only node).</summary>
    public const int StoreNodes = 3;

    /// <summary>Remoting's frame: the hosting default (<c>Store:Cluster:MaximumFrameSize</c>, 4 MiB).</summary>
    public const long FrameSize = 4L << 20;

    private const string StoreId = "bench";
    private static readonly NdArray[] FrameData = Frames.Build();
    private static readonly byte[][] FrameBytes = [.. FrameData.Select(frame => frame.Bytes.ToArray())];
    private static readonly byte[][] RowBytes = [.. Enumerable.Range(0, 8).Select(i => BitConverter.GetBytes((long)i).Concat(BitConverter.GetBytes(i * 0.5)).ToArray())];
    private static readonly Table[] RowData = [.. Enumerable.Range(0, 8).Select(i => Table.FromColumns(
        ("micro_id", new Int64Array.Builder().Append(i).Build()),
        ("energy", new DoubleArray.Builder().Append(i * 0.5).Build())))];

    private static int _started;
    private readonly string _folder;

    // In order of starting: a node's own system (null: each store started its own) and its stores.
    private readonly List<(ActorSystem? System, List<ActorStore> Stores)> _nodes = [];
    private long _sequence;
    private string? _rawPostgres;  // RawPostgres: the database it inserts into

    private ClusterAppendSide(ClusterAppendKind kind, string folder)
    {
        Kind = kind;
        _folder = folder;
    }

    /// <summary>What this side is.</summary>
    public ClusterAppendKind Kind { get; }

    /// <summary>The array store the producers append frames to.</summary>
    public ArrayActorStore Arrays { get; private set; } = null!;

    /// <summary>The table store the producers append rows to.</summary>
    public TableActorStore Tables { get; private set; } = null!;

    /// <summary>
    /// Starts a side. <paramref name="journal"/> is a fresh PostgreSQL database's connection string,
    /// for every kind but <see cref="ClusterAppendKind.SingleSqlite"/> (which ignores it); its
    /// connections are pooled, as Npgsql's are by default (the tests' server turns pooling off so a
    /// database can be dropped), unless <paramref name="pooling"/> is false.
    /// </summary>
    public static async Task<ClusterAppendSide> StartAsync(ClusterAppendKind kind, string? journal, bool pooling = true)
    {
        journal = journal is null ? null : new NpgsqlConnectionStringBuilder(journal) { Pooling = pooling }.ConnectionString;
        var folder = Frames.TempRoot($"cluster-{kind.ToString().ToLowerInvariant()}-{Interlocked.Increment(ref _started)}");
        Directory.CreateDirectory(folder);
        var side = new ClusterAppendSide(kind, folder);
        try
        {
            switch (kind)
            {
                case ClusterAppendKind.SingleSqlite:
                    // The default journaled store, as ActorAppendBenchmarks runs it: each store its own system and SQLite journal under its root.
                    side._nodes.Add((null, []));
                    side.Arrays = side.Track(ArrayActorStore.Open(side.Options(folder, DiskFormat.Npy)));
                    side.Tables = side.Track(TableActorStore.Open(side.Options(folder, DiskFormat.Parquet)));
                    break;
                case ClusterAppendKind.SinglePostgres:
                {
                    // One process, no remoting, the journal on the cluster's PostgreSQL: both stores in one system, as the hosted store runs them.
                    ActorStoreOptions OnPostgres(DiskFormat format) => side.Options(folder, format) with { JournalProvider = "PostgreSQL.15", JournalConnectionString = journal };
                    side._nodes.Add((ActorSystem.Create("store", StoreActorConfig.For(OnPostgres(DiskFormat.Npy))), []));
                    side.Arrays = side.Track(ArrayActorStore.Open(side._nodes[0].System!, OnPostgres(DiskFormat.Npy)));
                    side.Tables = side.Track(TableActorStore.Open(side._nodes[0].System!, OnPostgres(DiskFormat.Parquet)));
                    break;
                }

                case ClusterAppendKind.RawPostgres:
                    side._rawPostgres = journal ?? throw new ArgumentNullException(nameof(journal));
                    await side.CreateRawTablesAsync().ConfigureAwait(false);
                    break;
                default:
                    await side.StartClusterAsync(journal ?? throw new ArgumentNullException(nameof(journal))).ConfigureAwait(false);
                    break;
            }

            await side.WarmUpAsync().ConfigureAwait(false);
            return side;
        }
        catch
        {
            await side.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Eight producers append <paramref name="perProducer"/> frames each; with <paramref name="latencies"/>
    /// (at least 8 × <paramref name="perProducer"/> long), each append's ticks from call to acknowledgement.
    /// </summary>
    public Task AppendFramesAsync(int perProducer, long[]? latencies = null)
    {
        var first = Interlocked.Add(ref _sequence, perProducer) - perProducer;
        if (_rawPostgres is not null)
        {
            return RawInsertsAsync(perProducer, first, latencies, "frames", FrameBytes);
        }

        return Task.WhenAll(Enumerable.Range(0, Producers).Select(producer => Pipelined(
            perProducer, i => Arrays.AppendAsync($"p{producer}", FrameData[i & 7], $"p{producer}", first + i), latencies, producer * perProducer)));
    }

    /// <summary>Eight producers append <paramref name="perProducer"/> 1-row tables each to <c>energies</c>; latencies as for frames.</summary>
    public Task AppendRowsAsync(int perProducer, long[]? latencies = null)
    {
        var first = Interlocked.Add(ref _sequence, perProducer) - perProducer;
        if (_rawPostgres is not null)
        {
            return RawInsertsAsync(perProducer, first, latencies, "rows", RowBytes);
        }

        return Task.WhenAll(Enumerable.Range(0, Producers).Select(producer => Pipelined(
            perProducer, i => Tables.AppendAsync("energies", RowData[i & 7], $"p{producer}", first + i), latencies, producer * perProducer)));
    }

    /// <summary>Flushes both stores (which trims their journals); RawPostgres has nothing to flush.</summary>
    public Task FlushAsync() => _rawPostgres is null ? Task.WhenAll(Arrays.FlushAsync(), Tables.FlushAsync()) : Task.CompletedTask;

    /// <summary>Cluster sides: how many of the array paths and the table each store node holds, e.g. <c>arrays 3/3/2, table 0/1/0</c>.</summary>
    public async Task<string> PlacementAsync()
    {
        if (Kind is ClusterAppendKind.SingleSqlite or ClusterAppendKind.SinglePostgres)
        {
            return "one node";
        }

        if (Kind == ClusterAppendKind.RawPostgres)
        {
            return "no store: Npgsql straight into the server";
        }

        async Task<string> Held(string kind)
        {
            var counts = new List<int>();
            foreach (var system in _nodes.Take(StoreNodes).Select(n => n.System!))
            {
                var region = await system.ActorSelection($"/system/sharding/store-{kind}-{StoreId}").ResolveOne(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                counts.Add(state.Shards.Sum(s => s.EntityIds.Count));
            }

            return string.Join('/', counts);
        }

        var producersOn = Kind == ClusterAppendKind.ClusterStoreNode ? "producers on the second store node" : "producers on the client node";
        return $"arrays {await Held("array").ConfigureAwait(false)}, table {await Held("table").ConfigureAwait(false)} ({producersOn})";
    }

    /// <summary>
    /// Flushes and closes the stores, clients first and then one store node after another (nodes
    /// that leave at once can hold up paths; README, Cluster mode), stops the systems and removes the folder.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (system, stores) in Enumerable.Reverse(_nodes))
        {
            foreach (var store in Enumerable.Reverse(stores))
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            if (system is not null)
            {
                if (((ExtendedActorSystem)system).Provider is Akka.Cluster.ClusterActorRefProvider)
                {
                    // Leaving first, the others expect the node to go (no association errors logged).
                    await Cluster.Get(system).LeaveAsync().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                }

                await system.Terminate().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private ActorStoreOptions Options(string root, DiskFormat format) => new()
    {
        Root = Path.Combine(root, format == DiskFormat.Npy ? "arrays" : "tables"), Mode = "a", DiskFormat = format,
        Durability = Durability.Journal, MaxBufferedBytes = 1L << 30, FlushTimeout = TimeSpan.FromSeconds(60), AskTimeout = TimeSpan.FromSeconds(60),
    };

    // Adds the store to the last node started.
    private T Track<T>(T store)
        where T : ActorStore
    {
        _nodes[^1].Stores.Add(store);
        return store;
    }

    // Three store nodes and one client node on 127.0.0.1, each opening both stores before it joins the first
    // (as ClusterTests and the hosted store do), each store node reaching the shared root through its own symlink.
    private async Task StartClusterAsync(string journal)
    {
        var shared = Path.Combine(_folder, "shared");
        Directory.CreateDirectory(shared);
        for (var n = 0; n <= StoreNodes; n++)
        {
            var role = n < StoreNodes ? "store" : "client";
            var root = Path.Combine(_folder, $"node-{n}");
            File.CreateSymbolicLink(root, shared);
            ActorStoreOptions Clustered(DiskFormat format) => Options(root, format) with
            {
                JournalProvider = "PostgreSQL.15", JournalConnectionString = journal, StoreId = StoreId,
                Cluster = new ClusterStoreOptions(),
            };

            var config = ConfigurationFactory.ParseString(
                $$"""
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp {
                  hostname = 127.0.0.1
                  port = 0
                  maximum-frame-size = {{FrameSize}}b
                  send-buffer-size = {{FrameSize}}b
                  receive-buffer-size = {{FrameSize}}b
                }
                akka.cluster.roles = [{{role}}]
                akka.cluster.split-brain-resolver.stable-after = 3s
                akka.cluster.sharding.handoff-timeout = 60s
                akka.loglevel = WARNING
                # Nodes closing one after another are expected to disassociate: no warning for each.
                akka.remote.log-remote-lifecycle-events = off
                """).WithFallback(StoreActorConfig.For(Clustered(DiskFormat.Npy)));
            var system = ActorSystem.Create("store", config);
            _nodes.Add((system, []));
            var arrays = Track(ArrayActorStore.Open(system, Clustered(DiskFormat.Npy)));
            var tables = Track(TableActorStore.Open(system, Clustered(DiskFormat.Parquet)));
            Cluster.Get(system).Join(Cluster.Get(_nodes[0].System!).SelfAddress);
            if (role == "client" ? Kind == ClusterAppendKind.ClusterClient : n == 1 && Kind == ClusterAppendKind.ClusterStoreNode)
            {
                Arrays = arrays;
                Tables = tables;
            }
        }

        var clock = Stopwatch.StartNew();
        while (Cluster.Get(_nodes[0].System!).State.Members.Count(m => m.Status == MemberStatus.Up) < _nodes.Count)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("The benchmark cluster did not form within 60 s.");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        // Every store node's regions registered with the shard coordinator, so the first appends spread over all three.
        foreach (var kind in new[] { "array", "table" })
        {
            var region = await _nodes[0].System!.ActorSelection($"/system/sharding/store-{kind}-{StoreId}").ResolveOne(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            while ((await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10)).ConfigureAwait(false)).Regions.Count < StoreNodes)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"The {kind} regions of the benchmark cluster did not all register within 60 s.");
                }

                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    // Not measured: starts every path's actor (in a cluster: allocates its shard, remembers the entity) and the hot code paths.
    private async Task WarmUpAsync()
    {
        await AppendFramesAsync(Window / 2).ConfigureAwait(false);
        await AppendRowsAsync(Window).ConfigureAwait(false);
    }

    // Sends count appends in order, with at most Window of them unacknowledged; records each one's latency at latencies[offset + i].
    private static async Task Pipelined(int count, Func<int, Task<IndexRange>> append, long[]? latencies, int offset)
    {
        var inFlight = new Queue<Task>(Window);
        for (var i = 0; i < count; i++)
        {
            if (inFlight.Count == Window)
            {
                await inFlight.Dequeue().ConfigureAwait(false);
            }

            var started = Stopwatch.GetTimestamp();
            var task = append(i);
            inFlight.Enqueue(latencies is null ? task : Timed(task, started, latencies, offset + i));
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    // RawPostgres: the journal's table shape (an ordering key, a unique persistence id and sequence number, the payload).
    private async Task CreateRawTablesAsync()
    {
        await using var connection = new NpgsqlConnection(_rawPostgres);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            CREATE TABLE raw_frames (ordering bigserial PRIMARY KEY, persistence_id varchar(255) NOT NULL, sequence_number bigint NOT NULL, message bytea NOT NULL, UNIQUE (persistence_id, sequence_number));
            CREATE TABLE raw_rows (ordering bigserial PRIMARY KEY, persistence_id varchar(255) NOT NULL, sequence_number bigint NOT NULL, message bytea NOT NULL, UNIQUE (persistence_id, sequence_number));
            """,
            connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    // RawPostgres: each producer on its own connection inserts its appends 64 rows per statement (one
    // commit each); an append's latency runs from its statement's start to its commit.
    private Task RawInsertsAsync(int perProducer, long first, long[]? latencies, string table, byte[][] payloads)
    {
        return Task.WhenAll(Enumerable.Range(0, Producers).Select(async producer =>
        {
            await using var connection = new NpgsqlConnection(_rawPostgres);
            await connection.OpenAsync().ConfigureAwait(false);
            for (var start = 0; start < perProducer; start += Window)
            {
                var count = Math.Min(Window, perProducer - start);
                await using var command = new NpgsqlCommand { Connection = connection };
                var values = new List<string>(count);
                for (var i = 0; i < count; i++)
                {
                    values.Add($"(@p{producer}, @s{i}, @m{i})");
                    command.Parameters.AddWithValue($"s{i}", first + start + i);
                    command.Parameters.Add(new NpgsqlParameter($"m{i}", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = payloads[(start + i) & 7] });
                }

                command.Parameters.AddWithValue($"p{producer}", $"p{producer}");
                command.CommandText = $"INSERT INTO raw_{table} (persistence_id, sequence_number, message) VALUES {string.Join(", ", values)}";
                var started = Stopwatch.GetTimestamp();
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                if (latencies is not null)
                {
                    System.Array.Fill(latencies, Stopwatch.GetTimestamp() - started, (producer * perProducer) + start, count);
                }
            }
        }));
    }

    private static async Task Timed(Task<IndexRange> append, long started, long[] latencies, int index)
    {
        await append.ConfigureAwait(false);
        latencies[index] = Stopwatch.GetTimestamp() - started;
    }
}
