using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Store.Benchmarks;

/// <summary>
/// The least a journal of appends can cost, for <c>main-job-share</c>'s <c>rawjournal</c> side: one
/// writer thread commits whatever payloads are waiting as one transaction to a SQLite file in WAL
/// mode with <c>synchronous = FULL</c> (each commit synced, as the store's journal does), then
/// acknowledges them. No actors, no Akka.Persistence, no serialisation beyond the caller's bytes.
/// </summary>
internal sealed class RawSqliteJournal : IDisposable
{
    private readonly BlockingCollection<(byte[][] Payloads, TaskCompletionSource Done)> _waiting = [];
    private readonly SqliteConnection _connection;
    private readonly Thread _writer;

    public RawSqliteJournal(string file)
    {
        _connection = new SqliteConnection($"Data Source={file};Pooling=False");
        _connection.Open();
        using (var setup = _connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE journal (ordering INTEGER PRIMARY KEY, payload BLOB NOT NULL);";
            setup.ExecuteNonQuery();
        }

        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "raw-journal" };
        _writer.Start();
    }

    /// <summary>Completes once every payload is committed (synced) with whatever else was waiting.</summary>
    public Task AppendAsync(params byte[][] payloads)
    {
        var done = new TaskCompletionSource();
        _waiting.Add((payloads, done));
        return done.Task;
    }

    public void Dispose()
    {
        _waiting.CompleteAdding();
        _writer.Join();
        _connection.Dispose();
        _waiting.Dispose();
    }

    private void WriteLoop()
    {
        using var insert = _connection.CreateCommand();
        insert.CommandText = "INSERT INTO journal (payload) VALUES ($payload)";
        var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
        var batch = new List<(byte[][] Payloads, TaskCompletionSource Done)>();
        foreach (var first in _waiting.GetConsumingEnumerable())
        {
            batch.Add(first);
            while (_waiting.TryTake(out var next))
            {
                batch.Add(next);
            }

            using (var transaction = _connection.BeginTransaction())
            {
                insert.Transaction = transaction;
                foreach (var bytes in batch.SelectMany(b => b.Payloads))
                {
                    payload.Value = bytes;
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
            }

            batch.ForEach(b => b.Done.SetResult());
            batch.Clear();
        }
    }
}
