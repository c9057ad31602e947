using Akka.Configuration;
using Store.Core;
using Akka.Persistence.Sql;
using Store.Actors.Sqlite;

namespace Store.Actors;

/// <summary>The HOCON an actor system needs to run stores: the I/O dispatcher, the serializer and, when durable, the journal.</summary>
public static class StoreActorConfig
{
    /// <summary>The dispatcher path actors run on.</summary>
    public const string IoDispatcher = "store.io-dispatcher";

    /// <summary>The embedded <c>reference.conf</c>: dispatcher and serializer bindings.</summary>
    public static Config Default { get; } = ConfigurationFactory.FromResource("Store.Actors.reference.conf", typeof(StoreActorConfig).Assembly);

    /// <summary>
    /// Everything a system running a store with <paramref name="options"/> needs: the journal and
    /// snapshot store on the options' database when durable (with Akka.Persistence.Sql's defaults),
    /// then <see cref="Default"/>. Akka's own logging is kept to warnings.
    /// </summary>
    public static Config For(ActorStoreOptions options)
    {
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING").WithFallback(Default);
        return IsJournaled(options) ? WithJournal(config, JournalConnectionString(options), options.JournalProvider) : config;
    }

    /// <summary><paramref name="config"/> with the journal and snapshot store on one database in front, and Akka.Persistence.Sql's defaults (for a server database) behind.</summary>
    public static Config WithJournal(Config config, string connectionString, string provider) =>
        Journal(connectionString, provider).WithFallback(config).WithFallback(SqlPersistence.DefaultConfiguration);

    /// <summary>Whether a store with these options journals: durable, on disk, and writable (a read-only store shows what was flushed).</summary>
    public static bool IsJournaled(ActorStoreOptions options) =>
        options.Durability == Durability.Journal && options.DiskFormat != DiskFormat.None && StoreModes.Parse(options.Mode).CanWrite();

    /// <summary>
    /// Checks that <paramref name="system"/> journals where a store with <paramref name="options"/>
    /// does: its default journal and snapshot store are the store's plugins for its provider (see
    /// <see cref="Journal"/>) on the options' database.
    /// A system configured for other options would keep the store's events in memory (and its
    /// snapshots in a <c>snapshots</c> folder of the working directory, Akka's default), so that is
    /// refused before the store starts.
    /// </summary>
    /// <exception cref="JournalException">The system journals elsewhere; the message says where and what was expected.</exception>
    public static void CheckJournal(Akka.Actor.ActorSystem system, ActorStoreOptions options)
    {
        var config = system.Settings.Config;

        // As JournalConnectionString(options) says, without creating the file (the store's mode decides whether the root may be created).
        var expected = options.JournalConnectionString ?? $"Data Source={Path.Combine(Path.GetFullPath(options.Root), ActorStoreOptions.DefaultJournalFile)}";
        var (journal, snapshots) = Plugins(options.JournalProvider);
        foreach (var (kind, plugin) in new[] { ("journal", journal), ("snapshot-store", snapshots) })
        {
            var configured = config.GetString($"akka.persistence.{kind}.plugin", "");
            var connection = configured == plugin ? config.GetString($"{plugin}.connection-string", "") : null;
            if (connection != expected)
            {
                var found = configured == "" ? $"it configures no {kind} (Akka.Persistence's default keeps events in memory and snapshots in the working directory)"
                    : configured != plugin ? $"its {kind} is '{configured}'"
                    : $"its {kind} is on another database ({connection})";
                throw new JournalException(
                    $"The actor system '{system.Name}' cannot run a journaled store at {options.Root}: {found}; expected {plugin} on {JournalName(options)}. " +
                    "Create the system with StoreActorConfig.For(options) (Akka.Hosting: WithStore).",
                    null);
            }
        }
    }

    /// <summary>
    /// The journal and snapshot store on one database: a SQLite file through the store's own plugins
    /// (<see cref="SqliteJournal"/>, <see cref="SqliteSnapshotStore"/>), a server
    /// database through Akka.Persistence.Sql.
    /// </summary>
    public static Config Journal(string connectionString, string provider)
    {
        if (!IsSqlite(provider))
        {
            return SqlPersistenceJournal(connectionString, provider);
        }

        var quoted = Quote(connectionString);
        var (journal, snapshots) = Plugins(provider);
        return ConfigurationFactory.ParseString(
            $$"""
            akka.persistence {
              journal.plugin = "{{journal}}"
              snapshot-store.plugin = "{{snapshots}}"
            }
            {{journal}} { class = "{{PluginClass(typeof(SqliteJournal))}}", connection-string = {{quoted}} }
            {{snapshots}} { class = "{{PluginClass(typeof(SqliteSnapshotStore))}}", connection-string = {{quoted}} }
            """);
    }

    /// <summary>
    /// <paramref name="config"/> journaling through Akka.Persistence.Sql whatever the provider, SQLite
    /// included (as the store did before it had plugins of its own for SQLite), with the plugin's
    /// defaults behind: for tests and benchmarks that compare the two. A store refuses such a system
    /// for a SQLite journal (<see cref="CheckJournal"/>).
    /// </summary>
    public static Config WithSqlPersistenceJournal(Config config, string connectionString, string provider) =>
        SqlPersistenceJournal(connectionString, provider).WithFallback(config).WithFallback(SqlPersistence.DefaultConfiguration);

    private static Config SqlPersistenceJournal(string connectionString, string provider)
    {
        var quoted = Quote(connectionString);
        // SQLite has one writer: concurrent journal writers only wait on each other's locks. A server
        // database gets its events as parameters (binary), not as hex literals in the SQL text, which
        // doubled their size and cost the server their parsing: 1.1 k against 1.6 k frames/s on PostgreSQL.
        var writes = IsSqlite(provider) ? "parallelism = 1" : "parallelism = 3, prefer-parameters-on-multirow-insert = on";
        return ConfigurationFactory.ParseString(
            $$"""
            akka.persistence {
              journal.plugin = "akka.persistence.journal.sql"
              journal.sql { connection-string = {{quoted}}, provider-name = {{Quote(provider)}}, {{writes}} }
              snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
              snapshot-store.sql { connection-string = {{quoted}}, provider-name = {{Quote(provider)}} }
            }
            """);
    }

    /// <summary>The configuration paths of the journal and the snapshot store for <paramref name="provider"/>.</summary>
    private static (string Journal, string Snapshots) Plugins(string provider) => IsSqlite(provider)
        ? ("akka.persistence.journal.store-sqlite", "akka.persistence.snapshot-store.store-sqlite")
        : ("akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql");

    private static string PluginClass(Type plugin) => $"{plugin.FullName}, {plugin.Assembly.GetName().Name}";

    /// <summary>Whether <paramref name="provider"/> names SQLite (any of linq2db's SQLite providers: the store's own plugins serve them all).</summary>
    public static bool IsSqlite(string provider) => provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase);

    /// <summary>The options' journal connection string, or the default SQLite file under the root (created in WAL mode).</summary>
    public static string JournalConnectionString(ActorStoreOptions options)
    {
        if (options.JournalConnectionString is { } configured)
        {
            return configured;
        }

        return SqliteJournal(Path.Combine(Path.GetFullPath(options.Root), ActorStoreOptions.DefaultJournalFile));
    }

    /// <summary>
    /// How errors name the journal: the SQLite file, or the database a connection string names
    /// (its data source, host or server; never the whole string, which may hold a password).
    /// </summary>
    public static string JournalName(ActorStoreOptions options)
    {
        if (options.JournalConnectionString is not { } configured)
        {
            return Path.Combine(Path.GetFullPath(options.Root), ActorStoreOptions.DefaultJournalFile);
        }

        try
        {
            var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = configured };
            foreach (var key in new[] { "Data Source", "DataSource", "Filename", "Host", "Server" })
            {
                if (builder.TryGetValue(key, out var value) && value is not null)
                {
                    return $"{value} ({options.JournalProvider})";
                }
            }
        }
        catch (ArgumentException)
        {
            // Not a key=value string: name the provider only.
        }

        return $"the {options.JournalProvider} journal database";
    }

    /// <summary>The connection string of a SQLite journal in <paramref name="file"/>, created in WAL mode when new.</summary>
    /// <exception cref="JournalException">The file is a folder, or not a SQLite database, or cannot be opened.</exception>
    public static string SqliteJournal(string file)
    {
        var full = Path.GetFullPath(file);
        if (Directory.Exists(full))
        {
            throw new JournalException($"Journal {full} is a folder; expected a SQLite database file (or none, to create one).", full);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connectionString = $"Data Source={full}";
        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            // WAL lets many appends share one sync; it is a property of the file, set once. Reading
            // the schema proves the file is a database before any actor depends on it.
            command.CommandText = "PRAGMA journal_mode=WAL; SELECT count(*) FROM sqlite_master;";
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new JournalException($"Journal {full} cannot be opened as a SQLite database: {e.Message}", full, e);
        }

        return connectionString;
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
