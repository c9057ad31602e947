using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.TestKit.Xunit2;
using Microsoft.Data.Sqlite;
using Store.Actors.Sqlite;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// The store's own SQLite journal and snapshot store (<see cref="SqliteJournal"/>,
/// <see cref="SqliteSnapshotStore"/>) against Akka.Persistence.Sql, which wrote SQLite journals
/// before them: each reads what the other wrote (events, deletions, snapshots), so a journal
/// left by an earlier version is replayed, and a persistent actor sees the same recovery whichever
/// plugin it runs on.
/// </summary>
public class SqliteJournalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public SqliteJournalTests() => Directory.CreateDirectory(_temp.Path);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Theory]
    [InlineData("akka-sql", "store")]
    [InlineData("store", "akka-sql")]
    [InlineData("store", "store")]
    public async Task Recovery_OfWhatOnePluginWrote_IsTheSameThroughTheOther(string writer, string reader)
    {
        var connection = $"Data Source={Path.Combine(_temp.Path, "journal.db")}";

        using (var kit = new TestKit(Plugin(writer, connection), "writer"))
        {
            var recorder = kit.Sys.ActorOf(Props.Create(() => new Recorder("path-1")));
            var other = kit.Sys.ActorOf(Props.Create(() => new Recorder("path-2")));
            foreach (var e in new[] { "a", "b", "c" })
            {
                Assert.IsType<long>(await recorder.Ask(e, TimeSpan.FromSeconds(10)));
            }

            Assert.Equal(1L, await other.Ask("only", TimeSpan.FromSeconds(10)));
            Assert.Equal(4L, await recorder.Ask(new byte[] { 1, 2, 255 }, TimeSpan.FromSeconds(10)));
            Assert.Equal("saved 4", await recorder.Ask(new SaveState("state after 4"), TimeSpan.FromSeconds(10)));
            Assert.Equal("deleted 2", await recorder.Ask(new DeleteTo(2), TimeSpan.FromSeconds(10)));
            Assert.Equal(5L, await recorder.Ask("e", TimeSpan.FromSeconds(10)));
            await kit.Sys.Terminate();
        }

        using (var kit = new TestKit(Plugin(reader, connection), "reader"))
        {
            var recovered = (Recovered)await kit.Sys.ActorOf(Props.Create(() => new Recorder("path-1"))).Ask(Recorder.Report, TimeSpan.FromSeconds(10));
            Assert.Equal(new[] { "snapshot 4: state after 4", "e" }, recovered.Seen);
            Assert.Equal(5, recovered.LastSequenceNr);

            // Without the snapshot the journal still holds every event after the deletion, in order, and the highest number stays taken.
            var fromJournal = (Recovered)await kit.Sys.ActorOf(Props.Create(() => new Recorder("path-1", false))).Ask(Recorder.Report, TimeSpan.FromSeconds(10));
            Assert.Equal(new[] { "c", "bytes 1,2,255", "e" }, fromJournal.Seen);
            var second = (Recovered)await kit.Sys.ActorOf(Props.Create(() => new Recorder("path-2"))).Ask(Recorder.Report, TimeSpan.FromSeconds(10));
            Assert.Equal(new[] { "only" }, second.Seen);
            await kit.Sys.Terminate();
        }
    }

    [Fact]
    public async Task DeletingEveryEvent_KeepsTheHighestSequenceNumber_SoTheNextEventDoesNotReuseIt()
    {
        var connection = $"Data Source={Path.Combine(_temp.Path, "journal.db")}";
        using (var kit = new TestKit(Plugin("store", connection), "first"))
        {
            var recorder = kit.Sys.ActorOf(Props.Create(() => new Recorder("p")));
            await recorder.Ask("a", TimeSpan.FromSeconds(10));
            await recorder.Ask("b", TimeSpan.FromSeconds(10));
            Assert.Equal("deleted 2", await recorder.Ask(new DeleteTo(2), TimeSpan.FromSeconds(10)));
            await kit.Sys.Terminate();
        }

        using (var kit = new TestKit(Plugin("store", connection), "second"))
        {
            var recorder = kit.Sys.ActorOf(Props.Create(() => new Recorder("p")));
            var recovered = (Recovered)await recorder.Ask(Recorder.Report, TimeSpan.FromSeconds(10));
            Assert.Empty(recovered.Seen);
            Assert.Equal(2, recovered.LastSequenceNr);
            Assert.Equal(3L, await recorder.Ask("c", TimeSpan.FromSeconds(10)));
            await kit.Sys.Terminate();
        }

        await using var database = new SqliteConnection(connection);
        await database.OpenAsync();
        await using var rows = database.CreateCommand();
        rows.CommandText = "SELECT group_concat(sequence_number || ':' || deleted || ':' || length(message)) FROM (SELECT * FROM journal ORDER BY sequence_number)";
        // The marker keeps the number, not the bytes; the new event follows it.
        Assert.Matches("^2:1:0,3:0:[1-9][0-9]*$", (string)(await rows.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task AChangeThatFails_FailsAlone_TheOthersInItsGroupCommitAreStored()
    {
        var file = Path.Combine(_temp.Path, "journal.db");
        var database = SqliteJournalDatabase.Acquire($"Data Source={file}");
        try
        {
            // The first change holds the database's thread until the next two are queued, so the two share one round.
            using var queued = new ManualResetEventSlim();
            var first = database.Change((connection, transaction) => queued.Wait(TimeSpan.FromSeconds(10)));
            var failing = database.Change<int>((connection, transaction) => Insert(connection, transaction, "p", 1) + Insert(connection, transaction, "p", 1));
            var stored = database.Change((connection, transaction) => Insert(connection, transaction, "q", 1));
            queued.Set();

            Assert.True(await first);
            var error = await Assert.ThrowsAsync<SqliteException>(() => failing);
            Assert.Contains("UNIQUE", error.Message);
            Assert.Equal(1, await stored);
            Assert.Equal("q", await database.Query(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT group_concat(persistence_id) FROM journal";
                return command.ExecuteScalar();
            }));
        }
        finally
        {
            database.Release();
        }
    }

    private static int Insert(SqliteConnection connection, SqliteTransaction transaction, string persistenceId, long sequenceNr)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message) VALUES (0, 0, $id, $nr, x'00')";
        command.Parameters.AddWithValue("$id", persistenceId);
        command.Parameters.AddWithValue("$nr", sequenceNr);
        return command.ExecuteNonQuery();
    }

    // A system journaling on connection through the store's plugins or through Akka.Persistence.Sql (as the store did before).
    private static Config Plugin(string plugin, string connection)
    {
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        if (plugin == "store")
        {
            return StoreActorConfig.WithJournal(config, connection, "SQLite.MS");
        }

        return StoreActorConfig.WithSqlPersistenceJournal(config, connection, "SQLite.MS");
    }

    private sealed record SaveState(string State);

    private sealed record DeleteTo(long SequenceNr);

    private sealed record Recovered(string[] Seen, long LastSequenceNr);

    // Persists strings and byte arrays, saves a string snapshot, deletes events, and reports what its recovery saw.
    private sealed class Recorder : ReceivePersistentActor
    {
        public const string Report = "report";
        private readonly List<string> _seen = [];
        private IActorRef _asker = ActorRefs.Nobody;

        public Recorder(string persistenceId, bool useSnapshot = true)
        {
            PersistenceId = persistenceId;
            if (!useSnapshot)
            {
                SnapshotSelection = SnapshotSelectionCriteria.None;
            }

            Recover<SnapshotOffer>(offer => _seen.Add($"snapshot {offer.Metadata.SequenceNr}: {offer.Snapshot}"));
            Recover<string>(_seen.Add);
            Recover<byte[]>(bytes => _seen.Add($"bytes {string.Join(',', bytes)}"));
            Command<string>(e => e == Report, _ => Sender.Tell(new Recovered([.. _seen], LastSequenceNr)));
            Command<string>(e => Persist(e, _ => Sender.Tell(LastSequenceNr)));
            Command<byte[]>(e => Persist(e, _ => Sender.Tell(LastSequenceNr)));
            Command<SaveState>(save =>
            {
                _asker = Sender;
                SaveSnapshot(save.State);
            });
            Command<SaveSnapshotSuccess>(success => _asker.Tell($"saved {success.Metadata.SequenceNr}"));
            Command<SaveSnapshotFailure>(failure => _asker.Tell(failure.Cause.ToString()));
            Command<DeleteTo>(delete =>
            {
                _asker = Sender;
                DeleteMessages(delete.SequenceNr);
            });
            Command<DeleteMessagesSuccess>(success => _asker.Tell($"deleted {success.ToSequenceNr}"));
            Command<DeleteMessagesFailure>(failure => _asker.Tell(failure.Cause.ToString()));
        }

        private SnapshotSelectionCriteria SnapshotSelection { get; } = SnapshotSelectionCriteria.Latest;

        public override Recovery Recovery => new(SnapshotSelection);

        public override string PersistenceId { get; }
    }
}
