using Npgsql;
using Store.Actors.CrashWorker;
using Store.Actors.Tests.Crash;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;
using Xunit.Abstractions;

namespace Store.Actors.Tests;

/// <summary>One throwaway PostgreSQL server for the tests of the <see cref="PostgresCollection"/>.</summary>
public sealed class PostgresFixture : IDisposable
{
    /// <summary>The server (127.0.0.1, a free port).</summary>
    public PostgresServer Server { get; } = PostgresServer.Start();

    /// <inheritdoc />
    public void Dispose() => Server.Dispose();
}

/// <summary>Tests that share the PostgreSQL server; not run in parallel with each other (the machine has 2 cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "PostgreSQL";
}

/// <summary>
/// The journal on a server database (PostgreSQL through Akka.Persistence.Sql and Npgsql, as cluster
/// mode needs it), and <see cref="ActorStoreOptions.StoreId"/> naming the store in it instead of the
/// root's path: acknowledged appends survive a SIGKILL of the writing process and are replayed
/// exactly once by a store opened through another path to the same files.
/// </summary>
[Collection(PostgresCollection.Name)]
public class PostgresJournalTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task JournaledStore_OnPostgres_KeepsItsEventsUnderTheStoreId_AndReplaysAKilledPathActorOnce()
    {
        var connection = postgres.Server.CreateDatabase();
        var options = new ActorStoreOptions
        {
            Root = _temp.Path, DiskFormat = DiskFormat.Parquet, Durability = Durability.Journal,
            JournalProvider = "PostgreSQL.15", JournalConnectionString = connection, StoreId = "energies-1",
        };
        await using (var store = TableActorStore.Open(options))
        {
            for (var batch = 0; batch < 3; batch++)
            {
                await store.AppendAsync("runs/e", TestTables.AllTypes(batch * 4, 4), "producer", batch);
            }

            var ids = await PersistenceIds(connection);
            Assert.Contains("store|Table|energies-1|g0|runs/e", ids);
            Assert.DoesNotContain(ids, id => id.Contains(_temp.Path, StringComparison.Ordinal));

            (await RobustnessTests.FindPathActor(store, "runs/e")).Tell(Akka.Actor.Kill.Instance, Akka.Actor.ActorRefs.NoSender);
            var replayed = (await store.ReadAsync("runs/e"))!;
            Assert.Equal(TestTables.AllTypes(0, 12).Values<long>("i64"), replayed.Values<long>("i64"));
            Assert.Equal(new IndexRange(4, 4), await store.AppendAsync("runs/e", TestTables.AllTypes(4, 4), "producer", 1)); // a retry: the original range
            Assert.True((await store.FlushAsync()).Succeeded);
        }

        await using var reopened = TableActorStore.Open(options with { Mode = "r" });
        Assert.Equal(TestTables.AllTypes(0, 12).Strings("s"), (await reopened.ReadAsync("runs/e"))!.Strings("s"));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("zarr3")]
    public async Task Sigkill_WithAPostgresJournal_EveryAcknowledgedAppendIsReplayedOnce_ThroughAnotherPathToTheRoot(string format)
    {
        // The worker writes through one symlink to the root, the recovering store opens another:
        // only the store id, never a path, can lead the second to the first one's journal.
        var root = _temp.Sub("shared");
        Directory.CreateDirectory(root);
        var (first, second) = (_temp.Sub("node-a"), _temp.Sub("node-b"));
        File.CreateSymbolicLink(first, root);
        File.CreateSymbolicLink(second, root);
        var journal = new ServerJournal("PostgreSQL.15", postgres.Server.CreateDatabase(), $"crash-{format}");
        var acknowledged = new CrashVerifier.Acknowledged();
        for (var run = 1; run <= 2; run++)
        {
            var result = await CrashWorkerProcess.Run(first, format, run, appendsPerFlush: 25, maxAcks: 100_000, crashPoint: null,
                killWhen: signals => signals.Acks(80), journal: journal);
            var context = $"{format} on PostgreSQL, run {run}";
            Assert.True(result.Killed, $"{context}: the worker ended before the kill (exit {result.ExitCode}):\n{result.Stderr}");
            acknowledged.Add(result.Acks);
            var rows = await CrashVerifier.Recovered(second, format, acknowledged, context, journal);
            output.WriteLine($"{context}: {result.Acks.Count} acknowledged, {acknowledged.Count} in all present once at their ranges, 0 lost, 0 duplicated; {rows} rows");
        }
    }

    private static async Task<List<string>> PersistenceIds(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT DISTINCT persistence_id FROM journal", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
