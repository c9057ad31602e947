using Microsoft.Data.Sqlite;

namespace Store.Actors.Sqlite;

/// <summary>
/// One SQLite journal file, shared by the journal and the snapshot store of an actor system. Its
/// work runs on a thread of its own (never on a dispatcher's), in the order it was asked for:
/// every change waiting when the thread comes round is committed in one transaction, so many
/// paths' appends share one sync of the write-ahead log (group commit). A connection is opened for
/// each round and closed after it, so that no connection outlives the work (a closed store's file
/// may be compacted, moved or deleted). The tables are Akka.Persistence.Sql's, so a journal either
/// plugin wrote is read by the other.
/// </summary>
internal sealed class SqliteJournalDatabase
{
    private static readonly Dictionary<string, SqliteJournalDatabase> Opened = [];

    private readonly string _connectionString;
    private readonly Queue<IWork> _queue = new();
    private readonly Thread _thread;
    private int _users;
    private bool _closing;

    private SqliteJournalDatabase(string connectionString)
    {
        _connectionString = connectionString;
        _thread = new Thread(Run) { IsBackground = true, Name = "store-journal" };
        _thread.Start();
        Change(CreateTables);
    }

    /// <summary>The database of <paramref name="connectionString"/>, opened for one more user (a plugin); give it back with <see cref="Release"/>.</summary>
    public static SqliteJournalDatabase Acquire(string connectionString)
    {
        lock (Opened)
        {
            if (!Opened.TryGetValue(connectionString, out var database))
            {
                database = new SqliteJournalDatabase(connectionString);
                Opened.Add(connectionString, database);
            }

            database._users++;
            return database;
        }
    }

    /// <summary>One user less; the last one's release lets the thread finish the work queued so far, then end.</summary>
    public void Release()
    {
        lock (Opened)
        {
            if (--_users > 0)
            {
                return;
            }

            Opened.Remove(_connectionString);
        }

        lock (_queue)
        {
            _closing = true;
            Monitor.Pulse(_queue);
        }
    }

    /// <summary>Runs <paramref name="change"/> in the next group commit; the task completes once that transaction is committed (synced).</summary>
    public Task<T> Change<T>(Func<SqliteConnection, SqliteTransaction, T> change) => Enqueue(new Work<T>((connection, transaction) => change(connection, transaction!), writes: true));

    /// <summary>Runs <paramref name="query"/> after every change asked for before it is committed, outside any transaction.</summary>
    public Task<T> Query<T>(Func<SqliteConnection, T> query) => Enqueue(new Work<T>((connection, _) => query(connection), writes: false));

    private Task<T> Enqueue<T>(Work<T> work)
    {
        lock (_queue)
        {
            if (_closing)
            {
                throw new InvalidOperationException($"The journal database {_connectionString} is closed.");
            }

            _queue.Enqueue(work);
            Monitor.Pulse(_queue);
        }

        return work.Task;
    }

    private void Run()
    {
        var round = new List<IWork>();
        while (true)
        {
            lock (_queue)
            {
                while (_queue.Count == 0 && !_closing)
                {
                    Monitor.Wait(_queue);
                }

                if (_queue.Count == 0)
                {
                    return;
                }

                round.AddRange(_queue);
                _queue.Clear();
            }

            RunRound(round);
            round.Clear();
        }
    }

    // Consecutive changes share one transaction; a query runs on its own, after the changes before it.
    private void RunRound(List<IWork> round)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();

            // Every commit syncs the write-ahead log before it returns (SQLite's default, stated here
            // because the guarantee depends on it): an acknowledged event survives a killed process and a power loss.
            using var synchronous = connection.CreateCommand();
            synchronous.CommandText = "PRAGMA synchronous = FULL";
            synchronous.ExecuteNonQuery();
        }
        catch (Exception e)
        {
            connection.Dispose();
            foreach (var work in round)
            {
                work.Fail(e);
            }

            return;
        }

        using (connection)
        {
            var start = 0;
            while (start < round.Count)
            {
                if (!round[start].Writes)
                {
                    Run(connection, round[start]);
                    start++;
                    continue;
                }

                var end = start;
                while (end < round.Count && round[end].Writes)
                {
                    end++;
                }

                Commit(connection, round, start, end);
                start = end;
            }
        }
    }

    private static void Run(SqliteConnection connection, IWork query)
    {
        try
        {
            query.Execute(connection, null);
            query.Succeed();
        }
        catch (Exception e)
        {
            query.Fail(e);
        }
    }

    // One transaction for the changes [start, end). If it fails, each change is tried in a
    // transaction of its own, so that only the change at fault fails (say, a sequence number
    // another writer already took) and the others are stored.
    private static void Commit(SqliteConnection connection, List<IWork> round, int start, int end)
    {
        try
        {
            using (var transaction = connection.BeginTransaction())
            {
                for (var i = start; i < end; i++)
                {
                    round[i].Execute(connection, transaction);
                }

                transaction.Commit();
            }

            for (var i = start; i < end; i++)
            {
                round[i].Succeed();
            }
        }
        catch (Exception e)
        {
            if (end - start == 1)
            {
                round[start].Fail(e);
                return;
            }

            for (var i = start; i < end; i++)
            {
                Commit(connection, round, i, i + 1);
            }
        }
    }

    // Akka.Persistence.Sql's tables for SQLite (as its auto-initialize creates them), so a journal
    // file it wrote opens here and the other way round.
    private static int CreateTables(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS [journal]
            (
                [ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,
                [created]         INTEGER        NOT NULL,
                [deleted]         Bit            NOT NULL,
                [persistence_id]  NVarChar(255)  NOT NULL,
                [sequence_number] INTEGER        NOT NULL,
                [message]         VarBinary      NOT NULL,
                [manifest]        NVarChar(500)      NULL,
                [identifier]      INTEGER            NULL,
                [writer_uuid]     NVarChar(128)      NULL
            );
            CREATE UNIQUE INDEX IF NOT EXISTS journal_uq ON journal (persistence_id, sequence_number);
            CREATE INDEX IF NOT EXISTS journal_created_idx ON journal (created);
            CREATE INDEX IF NOT EXISTS journal_sequence_number_idx ON journal (sequence_number);
            CREATE TABLE IF NOT EXISTS [tags]
            (
                [ordering_id]    INTEGER       NOT NULL,
                [tag]            NVarChar(64)  NOT NULL,
                [sequence_nr]    INTEGER       NOT NULL,
                [persistence_id] NVarChar(255) NOT NULL,
                CONSTRAINT [PK_tags] PRIMARY KEY ([ordering_id], [tag])
            );
            CREATE INDEX IF NOT EXISTS tags_persistence_id_sequence_nr_idx ON tags (persistence_id, sequence_nr);
            CREATE INDEX IF NOT EXISTS tags_tag_idx ON tags (tag);
            CREATE TABLE IF NOT EXISTS [snapshot]
            (
                [persistence_id]  NVarChar(255) NOT NULL,
                [sequence_number] INTEGER       NOT NULL,
                [created]         INTEGER       NOT NULL,
                [snapshot]        VarBinary         NULL,
                [manifest]        NVarChar(500)     NULL,
                [serializer_id]   INTEGER           NULL,
                CONSTRAINT [PK_snapshot] PRIMARY KEY ([persistence_id], [sequence_number])
            );
            CREATE INDEX IF NOT EXISTS snapshot_sequence_number_idx ON snapshot (sequence_number);
            CREATE INDEX IF NOT EXISTS snapshot_created_idx ON snapshot (created);
            """;
        return command.ExecuteNonQuery();
    }

    private interface IWork
    {
        bool Writes { get; }

        void Execute(SqliteConnection connection, SqliteTransaction? transaction);

        void Succeed();

        void Fail(Exception error);
    }

    // A piece of work and the task that waits for it; the task completes on the thread pool, never on the database's thread.
    private sealed class Work<T>(Func<SqliteConnection, SqliteTransaction?, T> run, bool writes) : IWork
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public bool Writes => writes;

        public Task<T> Task => _done.Task;

        public void Execute(SqliteConnection connection, SqliteTransaction? transaction) => _result = run(connection, transaction);

        public void Succeed() => _done.TrySetResult(_result);

        public void Fail(Exception error) => _done.TrySetException(error);
    }
}
