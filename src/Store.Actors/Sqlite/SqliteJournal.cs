using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Microsoft.Data.Sqlite;

namespace Store.Actors.Sqlite;

/// <summary>
/// The store's journal on a SQLite file (Akka.Persistence plugin, <c>connection-string</c> in its
/// configuration). Akka.Persistence.Sql did the same through linq2db and Akka.Streams at about three
/// times the CPU per event; here each write is one prepared insert per event, and every write waiting
/// when the database's thread comes round shares one transaction and one sync
/// (<see cref="SqliteJournalDatabase"/>). An acknowledged write is committed with SQLite's default
/// <c>synchronous = FULL</c>: in WAL mode the log is synced at every commit, so it survives a killed
/// process and a power loss. Same tables and rows as Akka.Persistence.Sql.
/// </summary>
public sealed class SqliteJournal : AsyncWriteJournal
{
    private readonly SqliteJournalDatabase _database;
    private readonly Akka.Serialization.Serialization _serialization;

    /// <summary>Opens the journal on the configuration's <c>connection-string</c> (a Microsoft.Data.Sqlite connection string).</summary>
    public SqliteJournal(Config config)
    {
        _database = SqliteJournalDatabase.Acquire(config.GetString("connection-string"));
        _serialization = Context.System.Serialization;
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _database.Release();
        base.PostStop();
    }

    /// <summary>
    /// Serializes the events here, then stores every atomic write in the next group commit. A write
    /// whose event cannot be serialized is rejected alone; a failed commit fails them all.
    /// </summary>
    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var rows = new List<JournalRow>();
        var rejections = new List<Exception?>();
        var rejected = false;
        foreach (var write in messages)
        {
            var events = (IImmutableList<IPersistentRepresentation>)write.Payload;
            try
            {
                rows.AddRange(events.Select(Serialize).ToList()); // all of a write's events or none
                rejections.Add(null);
            }
            catch (Exception e)
            {
                rejections.Add(e);
                rejected = true;
            }
        }

        if (rows.Count == 0)
        {
            return rejections.ToImmutableList();
        }

        var created = DateTime.UtcNow.Ticks;
        await _database.Change((connection, transaction) =>
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
                                 "VALUES ($created, 0, $persistence_id, $sequence_number, $message, $manifest, $identifier, $writer_uuid)";
            var parameters = insert.Parameters;
            var createdAt = parameters.Add("$created", SqliteType.Integer);
            var persistenceId = parameters.Add("$persistence_id", SqliteType.Text);
            var sequenceNumber = parameters.Add("$sequence_number", SqliteType.Integer);
            var message = parameters.Add("$message", SqliteType.Blob);
            var manifest = parameters.Add("$manifest", SqliteType.Text);
            var identifier = parameters.Add("$identifier", SqliteType.Integer);
            var writerUuid = parameters.Add("$writer_uuid", SqliteType.Text);
            createdAt.Value = created;
            insert.Prepare();
            foreach (var row in rows)
            {
                persistenceId.Value = row.PersistenceId;
                sequenceNumber.Value = row.SequenceNr;
                message.Value = row.Message;
                manifest.Value = row.Manifest;
                identifier.Value = row.SerializerId;
                writerUuid.Value = (object?)row.WriterUuid ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }

            return rows.Count;
        });

        return rejected ? rejections.ToImmutableList() : null!;
    }

    /// <summary>
    /// Deletes the events up to <paramref name="toSequenceNr"/> but the last of them, which stays as a
    /// marker (<c>deleted = 1</c>, its bytes dropped) so that the highest sequence number survives,
    /// as Akka.Persistence requires and Akka.Persistence.Sql does.
    /// </summary>
    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) =>
        _database.Change((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                DELETE FROM journal WHERE persistence_id = $id AND sequence_number <
                    (SELECT max(sequence_number) FROM journal WHERE persistence_id = $id AND sequence_number <= $to);
                UPDATE journal SET deleted = 1, message = x'' WHERE persistence_id = $id AND sequence_number <= $to AND deleted = 0;
                """;
            command.Parameters.AddWithValue("$id", persistenceId);
            command.Parameters.AddWithValue("$to", toSequenceNr);
            return command.ExecuteNonQuery();
        });

    /// <inheritdoc />
    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        _database.Query(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT max(sequence_number) FROM journal WHERE persistence_id = $id";
            command.Parameters.AddWithValue("$id", persistenceId);
            return command.ExecuteScalar() is long highest ? highest : 0L;
        });

    /// <summary>Hands the events in the range that are not deleted to <paramref name="recoveryCallback"/>, in order, at most <paramref name="max"/>.</summary>
    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback) =>
        _database.Query(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT sequence_number, message, manifest, identifier, writer_uuid, created FROM journal " +
                                  "WHERE persistence_id = $id AND sequence_number >= $from AND sequence_number <= $to AND deleted = 0 " +
                                  "ORDER BY sequence_number LIMIT $max";
            command.Parameters.AddWithValue("$id", persistenceId);
            command.Parameters.AddWithValue("$from", fromSequenceNr);
            command.Parameters.AddWithValue("$to", toSequenceNr);
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var replayed = 0;
            while (reader.Read())
            {
                var payload = _serialization.Deserialize(
                    reader.GetFieldValue<byte[]>(1), reader.IsDBNull(3) ? 0 : reader.GetInt32(3), reader.IsDBNull(2) ? "" : reader.GetString(2));
                recoveryCallback(new Persistent(
                    payload, reader.GetInt64(0), persistenceId, manifest: "", isDeleted: false, ActorRefs.NoSender,
                    writerGuid: reader.IsDBNull(4) ? null : reader.GetString(4), timestamp: reader.GetInt64(5)));
                replayed++;
            }

            return replayed;
        });

    private JournalRow Serialize(IPersistentRepresentation persistent)
    {
        var payload = persistent.Payload;
        var serializer = _serialization.FindSerializerFor(payload);
        return new JournalRow(
            persistent.PersistenceId, persistent.SequenceNr, serializer.ToBinary(payload),
            Akka.Serialization.Serialization.ManifestFor(serializer, payload), serializer.Identifier, persistent.WriterGuid);
    }

    private sealed record JournalRow(string PersistenceId, long SequenceNr, byte[] Message, string Manifest, int SerializerId, string? WriterUuid);
}
