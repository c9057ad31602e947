using Microsoft.Data.Sqlite;

namespace Store.Actors;

/// <summary>
/// Shrinks a SQLite journal file once its store closed. Deleted events leave free pages that SQLite
/// keeps in the file (and a write-ahead log as large as the busiest moment), so a finished run would
/// leave a journal as large as everything it ever journaled; <c>VACUUM</c> rewrites the file with the
/// live rows only and a <c>TRUNCATE</c> checkpoint empties the log.
/// </summary>
internal static class JournalCompaction
{
    /// <summary>The SQLite file of a journal with these options, or null for a server database or an in-memory one.</summary>
    public static string? SqliteFile(ActorStoreOptions options)
    {
        if (options.JournalConnectionString is null)
        {
            return Path.Combine(Path.GetFullPath(options.Root), ActorStoreOptions.DefaultJournalFile);
        }

        if (!StoreActorConfig.IsSqlite(options.JournalProvider))
        {
            return null;
        }

        try
        {
            var builder = new SqliteConnectionStringBuilder(options.JournalConnectionString);
            return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:" ? null : Path.GetFullPath(builder.DataSource);
        }
        catch (ArgumentException)
        {
            return null; // not a Microsoft.Data.Sqlite connection string: leave the database alone
        }
    }

    /// <summary>
    /// Compacts <paramref name="file"/>. Call it once no actor writes the journal any more (the store's
    /// actors stopped): <c>VACUUM</c> needs the only write transaction. Best effort: a database another
    /// process holds is left as it is. Returns whether it compacted.
    /// </summary>
    public static bool TryCompact(string file)
    {
        if (!File.Exists(file))
        {
            return false;
        }

        // Pooled connections of the journal plugin would keep reading the old pages.
        SqliteConnection.ClearAllPools();
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandTimeout = 10;
            command.CommandText = "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }
}
