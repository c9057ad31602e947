using Store.Core;

namespace Store.Actors;

/// <summary>
/// Checks <see cref="ActorStoreOptions"/> before a store opens anything, so a bad value is a
/// <see cref="StoreException"/> naming the option, its value and what is expected, rather than a
/// raw runtime error, a call that never completes (<c>MaxPendingCommands = 0</c>) or a timer that
/// cannot be set. The hosting layer checks its own options with the same rules.
/// </summary>
public static class ActorStoreOptionsValidator
{
    private const string Name = nameof(ActorStoreOptions);

    private static readonly DiskFormat[] ArrayFormats = [DiskFormat.None, DiskFormat.Npy, DiskFormat.Npz, DiskFormat.Zarr];
    private static readonly DiskFormat[] TableFormats = [DiskFormat.None, DiskFormat.Parquet, DiskFormat.Csv, DiskFormat.Ipc, DiskFormat.Json];
    private static readonly string[] Modes = ["r", "r+", "a", "w", "w-"];

    /// <summary>
    /// The longest timeout or interval accepted: 24 days. Asks, flush waits and Akka's receive
    /// timeout run on timers that take at most <see cref="int.MaxValue"/> milliseconds (about 24.8
    /// days), and the client adds a few seconds to <see cref="ActorStoreOptions.FlushTimeout"/>.
    /// </summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromDays(24);

    /// <summary>The disk formats a store of <paramref name="kind"/> can flush to, <see cref="DiskFormat.None"/> first.</summary>
    public static IReadOnlyList<DiskFormat> FormatsOf(StoreKind kind) => kind == StoreKind.Array ? ArrayFormats : TableFormats;

    /// <summary>Whether <paramref name="mode"/> is one of the seed's mode tokens (<c>r</c>, <c>r+</c>, <c>a</c>, <c>w</c>, <c>w-</c>).</summary>
    public static bool IsMode(string? mode) => mode is not null && Modes.Contains(mode);

    /// <summary>Whether <paramref name="value"/> can be a timeout: positive and at most <see cref="MaxTimeout"/>.</summary>
    public static bool IsTimeout(TimeSpan value) => value > TimeSpan.Zero && value <= MaxTimeout;

    /// <summary>Checks every option of a store of <paramref name="kind"/>.</summary>
    /// <exception cref="StoreModeException"><see cref="ActorStoreOptions.Mode"/> is not a mode.</exception>
    /// <exception cref="StoreException">Any other option is out of range; the message names each one, its value and what is expected.</exception>
    public static void Validate(ActorStoreOptions options, StoreKind kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsMode(options.Mode))
        {
            throw new StoreModeException($"{Name}.Mode is {Show(options.Mode)}; expected one of 'r', 'r+', 'a', 'w', 'w-'.");
        }

        var problems = new List<string>();
        var formats = FormatsOf(kind);
        if (options.DiskFormat is { } format && !formats.Contains(format))
        {
            problems.Add($"{Name}.DiskFormat is {options.DiskFormat}; expected one of {string.Join(", ", formats)} for a{(kind == StoreKind.Array ? "n array" : " table")} store.");
        }

        if (options.Root is null)
        {
            problems.Add($"{Name}.Root is null; expected a folder, or \"\" with DiskFormat None (memory only).");
        }
        else if (options.Root.Contains('\0'))
        {
            problems.Add($"{Name}.Root contains a NUL character; expected a folder path.");
        }
        else if (string.IsNullOrWhiteSpace(options.Root) && options.DiskFormat != DiskFormat.None)
        {
            problems.Add(options.DiskFormat is { } asked
                ? $"{Name}.Root is {Show(options.Root)}; expected a folder for DiskFormat {asked}."
                : $"{Name}.Root is {Show(options.Root)}; expected a folder, or DiskFormat None for a store in memory only.");
        }
        else if (!string.IsNullOrEmpty(options.Root) && options.DiskFormat == DiskFormat.None)
        {
            problems.Add($"{Name}.Root is {Show(options.Root)} but DiskFormat is None (memory only, which takes no root); expected no Root, or a DiskFormat (or none, for what the root holds).");
        }

        if (!Enum.IsDefined(options.Durability))
        {
            problems.Add($"{Name}.Durability is {options.Durability}; expected None or Journal.");
        }

        if (string.IsNullOrWhiteSpace(options.JournalProvider))
        {
            problems.Add($"{Name}.JournalProvider is {Show(options.JournalProvider)}; expected a linq2db provider name such as SQLite.MS.");
        }

        if (options.JournalConnectionString is { } connection && string.IsNullOrWhiteSpace(connection))
        {
            problems.Add($"{Name}.JournalConnectionString is {Show(connection)}; expected a connection string, or null for the SQLite file under the root.");
        }

        if (options.JournalTrimEvents < 1)
        {
            problems.Add($"{Name}.JournalTrimEvents is {options.JournalTrimEvents}; expected at least 1.");
        }

        if (options.MaxBufferedBytes < 1)
        {
            problems.Add($"{Name}.MaxBufferedBytes is {options.MaxBufferedBytes}; expected at least 1.");
        }

        if (options.MaxResultBytes < 1)
        {
            problems.Add($"{Name}.MaxResultBytes is {options.MaxResultBytes}; expected at least 1.");
        }

        if (options.MaxPendingCommands < 1)
        {
            problems.Add($"{Name}.MaxPendingCommands is {options.MaxPendingCommands}; expected at least 1.");
        }

        if (options.StoreId is { } storeId && !IsStoreId(storeId))
        {
            problems.Add($"{Name}.StoreId is {Show(storeId)}; expected 1 to 100 letters, digits, '.', '_' or '-' (or null for the root's path).");
        }

        if (options.Cluster is { } cluster)
        {
            CheckCluster(problems, options, cluster);
        }

        CheckTimeout(problems, nameof(ActorStoreOptions.AskTimeout), options.AskTimeout);
        CheckTimeout(problems, nameof(ActorStoreOptions.FlushTimeout), options.FlushTimeout);
        CheckTimeout(problems, nameof(ActorStoreOptions.PassivateAfter), options.PassivateAfter);
        if (options.Zarr is { } zarr)
        {
            try
            {
                zarr.Validate($"{Name}.Zarr");
            }
            catch (StoreException e)
            {
                problems.Add(e.Message);
            }
        }

        if (problems.Count > 0)
        {
            throw new StoreException(string.Join(" ", problems));
        }
    }

    // Cluster mode is durable only, on a database every node reaches, under a configured id, and never clears or archives the shared root.
    private static void CheckCluster(List<string> problems, ActorStoreOptions options, ClusterStoreOptions cluster)
    {
        if (options.Durability != Durability.Journal)
        {
            problems.Add($"{Name}.Durability is {options.Durability}; a cluster store (Cluster set) expected Journal: an entity's acknowledged changes must survive its node.");
        }

        if (options.JournalProvider is { } provider && StoreActorConfig.IsSqlite(provider) || string.IsNullOrWhiteSpace(options.JournalConnectionString))
        {
            problems.Add($"{Name}.JournalProvider is {Show(options.JournalProvider)} with JournalConnectionString {Show(options.JournalConnectionString)}; a cluster store expected a server database every node reaches (for example PostgreSQL.15 and its connection string).");
        }

        if (options.StoreId is null)
        {
            problems.Add($"{Name}.StoreId is null; a cluster store expected one (its journal ids cannot use the root's path, which differs between nodes).");
        }

        if (options.DiskFormat is Core.DiskFormat.Npz or Core.DiskFormat.None)
        {
            problems.Add($"{Name}.DiskFormat is {options.DiskFormat}; a cluster store expected files each node writes for its own paths (Npy, Zarr, Parquet, Ipc, Csv or Json).");
        }

        if (options.Mode is "w" or "w-")
        {
            problems.Add($"{Name}.Mode is '{options.Mode}'; a cluster store expected 'a' or 'r+' (clearing a cluster store is done offline).");
        }

        if (cluster.NumberOfShards < 1)
        {
            problems.Add($"{Name}.Cluster.NumberOfShards is {cluster.NumberOfShards}; expected at least 1.");
        }

        if (string.IsNullOrWhiteSpace(cluster.Role))
        {
            problems.Add($"{Name}.Cluster.Role is {Show(cluster.Role)}; expected the role of the store nodes.");
        }
    }

    /// <summary>Whether <paramref name="id"/> can name a store in its journal: 1 to 100 ASCII letters, digits, '.', '_' or '-'.</summary>
    public static bool IsStoreId(string id) =>
        id.Length is >= 1 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static void CheckTimeout(List<string> problems, string option, TimeSpan value)
    {
        if (!IsTimeout(value))
        {
            problems.Add($"{Name}.{option} is {value}; expected more than 00:00:00 and at most {MaxTimeout}.");
        }
    }

    private static string Show(string? value) => value is null ? "null" : $"'{value}'";
}
