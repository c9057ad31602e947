using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using Microsoft.Data.Sqlite;

namespace Store.Actors.Sqlite;

/// <summary>
/// The store's snapshot store on the journal's SQLite file (Akka.Persistence plugin,
/// <c>connection-string</c> in its configuration): Akka.Persistence.Sql's <c>snapshot</c> table,
/// written through the journal's <see cref="SqliteJournalDatabase"/>, so a snapshot and the
/// events it lets the journal drop are ordered on one thread. A path actor keeps its producer
/// log here.
/// </summary>
public sealed class SqliteSnapshotStore : SnapshotStore
{
    private readonly SqliteJournalDatabase _database;
    private readonly Akka.Serialization.Serialization _serialization;

    /// <summary>Opens the snapshot store on the configuration's <c>connection-string</c> (a Microsoft.Data.Sqlite connection string).</summary>
    public SqliteSnapshotStore(Config config)
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

    /// <summary>The latest snapshot of <paramref name="persistenceId"/> that meets <paramref name="criteria"/>, or null.</summary>
    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        _database.Query(connection =>
        {
            using var command = Selecting(connection, null, "SELECT sequence_number, created, snapshot, manifest, serializer_id FROM snapshot", persistenceId, criteria);
            command.CommandText += " ORDER BY sequence_number DESC LIMIT 1";
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            var snapshot = _serialization.Deserialize(
                reader.GetFieldValue<byte[]>(2), reader.IsDBNull(4) ? 0 : reader.GetInt32(4), reader.IsDBNull(3) ? "" : reader.GetString(3));
            return new SelectedSnapshot(new SnapshotMetadata(persistenceId, reader.GetInt64(0), new DateTime(reader.GetInt64(1), DateTimeKind.Utc)), snapshot);
        })!;

    /// <summary>Stores <paramref name="snapshot"/> (serialized here), replacing one with the same sequence number.</summary>
    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var serializer = _serialization.FindSerializerFor(snapshot);
        var bytes = serializer.ToBinary(snapshot);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, snapshot);
        return _database.Change((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) " +
                                  "VALUES ($id, $sequence_number, $created, $snapshot, $manifest, $serializer_id)";
            command.Parameters.AddWithValue("$id", metadata.PersistenceId);
            command.Parameters.AddWithValue("$sequence_number", metadata.SequenceNr);
            command.Parameters.AddWithValue("$created", metadata.Timestamp.Ticks);
            command.Parameters.Add("$snapshot", SqliteType.Blob).Value = bytes;
            command.Parameters.AddWithValue("$manifest", manifest);
            command.Parameters.AddWithValue("$serializer_id", serializer.Identifier);
            return command.ExecuteNonQuery();
        });
    }

    /// <inheritdoc />
    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken) =>
        _database.Change((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM snapshot WHERE persistence_id = $id AND sequence_number = $sequence_number";
            command.Parameters.AddWithValue("$id", metadata.PersistenceId);
            command.Parameters.AddWithValue("$sequence_number", metadata.SequenceNr);
            return command.ExecuteNonQuery();
        });

    /// <inheritdoc />
    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        _database.Change((connection, transaction) =>
        {
            using var command = Selecting(connection, transaction, "DELETE FROM snapshot", persistenceId, criteria);
            return command.ExecuteNonQuery();
        });

    // A command over the snapshots of persistenceId that meet the criteria (sequence numbers and creation times, both ends inclusive).
    private static SqliteCommand Selecting(SqliteConnection connection, SqliteTransaction? transaction, string statement, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = statement + " WHERE persistence_id = $id AND sequence_number >= $min_sequence AND sequence_number <= $max_sequence " +
                              "AND created >= $min_created AND created <= $max_created";
        command.Parameters.AddWithValue("$id", persistenceId);
        command.Parameters.AddWithValue("$min_sequence", criteria.MinSequenceNr);
        command.Parameters.AddWithValue("$max_sequence", criteria.MaxSequenceNr);
        command.Parameters.AddWithValue("$min_created", (criteria.MinTimestamp ?? DateTime.MinValue).Ticks);
        command.Parameters.AddWithValue("$max_created", criteria.MaxTimeStamp.Ticks);
        return command;
    }
}
