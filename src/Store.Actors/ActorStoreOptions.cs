using Store.Core;
using Store.Core.Formats.Zarr;

namespace Store.Actors;

/// <summary>How an actor store runs. Every property has a default that suits one process writing one store.</summary>
public sealed record ActorStoreOptions
{
    /// <summary>A store in memory only (<see cref="DiskFormat.None"/>, no root): add other options with <c>with</c>.</summary>
    public static ActorStoreOptions InMemory { get; } = new() { DiskFormat = Core.DiskFormat.None };

    /// <summary>The store's root folder. <b>Default</b>: none; required unless <see cref="DiskFormat"/> is <see cref="DiskFormat.None"/>.</summary>
    public string Root { get; init; } = "";

    /// <summary>How the root is opened: <c>r</c>, <c>r+</c>, <c>a</c>, <c>w</c> or <c>w-</c>. <b>Default</b>: <c>a</c>.</summary>
    public string Mode { get; init; } = "a";

    /// <summary>
    /// The format flushes write. <b>Default</b>: null, the format the root's manifest records or its
    /// files show; for a new root Zarr (arrays) or Parquet (tables), as <c>StoreOptions</c> does.
    /// <see cref="DiskFormat.None"/> (memory only, no <see cref="Root"/>) only when set explicitly.
    /// </summary>
    public DiskFormat? DiskFormat { get; init; }

    /// <summary>Layout of new Zarr arrays. <b>Default</b>: what the root records; for a new root <see cref="ZarrOptions"/>' defaults (v3, uncompressed).</summary>
    public ZarrOptions? Zarr { get; init; }

    /// <summary>When acknowledged changes are safe from a crash. <b>Default</b>: <see cref="Durability.None"/>.</summary>
    public Durability Durability { get; init; } = Durability.None;

    /// <summary>
    /// The journal database for <see cref="Durability.Journal"/>, as an ADO.NET connection string for
    /// <see cref="JournalProvider"/>. <b>Default</b>: a SQLite file <c>.store-journal.db</c> under the root.
    /// </summary>
    public string? JournalConnectionString { get; init; }

    /// <summary>
    /// The journal database's kind, as a linq2db provider name: <c>SQLite.MS</c> (any name starting
    /// with <c>SQLite</c>: a file, through the store's own SQLite plugins and Microsoft.Data.Sqlite), or
    /// a server database such as <c>PostgreSQL</c> / <c>PostgreSQL.15</c> (Npgsql, through
    /// Akka.Persistence.Sql) with <see cref="JournalConnectionString"/>. <b>Default</b>: <c>SQLite.MS</c>.
    /// </summary>
    public string JournalProvider { get; init; } = "SQLite.MS";

    /// <summary>
    /// The name that identifies the store in its journal. Its events are kept under this name, so a
    /// store opened again under another path to the same files (a mount point that differs from
    /// machine to machine, a symlink) finds them; two stores that share a journal database need
    /// different names. Letters, digits, <c>.</c>, <c>_</c> and <c>-</c>. <b>Default</b>: null, the
    /// root's full path.
    /// </summary>
    public string? StoreId { get; init; }

    /// <summary>
    /// Runs the store as one store across an Akka.NET cluster (see <see cref="ClusterStoreOptions"/>);
    /// null for one process. Requires <see cref="Durability.Journal"/> on a server database,
    /// <see cref="StoreId"/>, mode <c>a</c> or <c>r+</c>, and a format other than NPZ; the store is
    /// opened in the node's cluster actor system. <b>Default</b>: null.
    /// </summary>
    public ClusterStoreOptions? Cluster { get; init; }

    /// <summary>
    /// Journal events a path lets its flushes cover before it deletes them. Deleting is a database
    /// write that competes with appends; covered events left in the journal are skipped on replay.
    /// 1 deletes at every flush. <b>Default</b>: 1000.
    /// </summary>
    public int JournalTrimEvents { get; init; } = 1000;

    /// <summary>
    /// Buffered (unflushed) bytes the store may hold; past it, path actors flush on their own and
    /// producers wait for them. A memory-only store (<see cref="Core.DiskFormat.None"/>) counts only
    /// bytes in flight: its entries are its data, which no flush frees. <b>Default</b>: 256 MiB.
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 256L << 20;

    /// <summary>
    /// The most one table read or query may return, in bytes of Arrow buffers; a larger result is
    /// refused with <see cref="Store.Core.ResultTooLargeException"/> as soon as the rows read pass it,
    /// so a read takes at most this plus one piece of the table. Array stores ignore it. <b>Default</b>: 1 GiB.
    /// </summary>
    public long MaxResultBytes { get; init; } = 1L << 30;

    /// <summary>Commands a client may have sent and not yet had answered; past it, callers wait. <b>Default</b>: 4096.</summary>
    public int MaxPendingCommands { get; init; } = 4096;

    /// <summary>How long a client waits for an answer before failing the call. <b>Default</b>: 60 s.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a flush may take before the paths still busy are reported as failed. <b>Default</b>: 5 min.</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A path actor idle this long with nothing unflushed is stopped (recreated on the next command). <b>Default</b>: 2 min.</summary>
    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The journal file used when <see cref="JournalConnectionString"/> is not set.</summary>
    public const string DefaultJournalFile = ".store-journal.db";
}
