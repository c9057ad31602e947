using Store.Actors;
using Store.Core;
using Store.Core.Formats.Zarr;

namespace Store.Hosting;

/// <summary>
/// The <c>Store</c> configuration section: where and how the hosted store writes. Arrays go to
/// <c>&lt;Root&gt;/arrays</c>, tables to <c>&lt;Root&gt;/tables</c>.
/// </summary>
public sealed class StoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "Store";

    /// <summary>The folder the store writes under. <b>Default</b>: <c>store</c>.</summary>
    public string Root { get; set; } = "store";

    /// <summary>How the roots are opened: <c>r</c>, <c>r+</c>, <c>a</c>, <c>w</c> or <c>w-</c>. <b>Default</b>: <c>a</c>.</summary>
    public string Mode { get; set; } = "a";

    /// <summary>
    /// The array format: None (memory only), Npy, Npz or Zarr. <b>Default</b>: what <c>&lt;Root&gt;/arrays</c>
    /// holds (its manifest, or its files); Zarr for a new root. A format the root contradicts is refused.
    /// </summary>
    public DiskFormat? ArrayFormat { get; set; }

    /// <summary>
    /// The table format: None (memory only), Parquet, Csv, Ipc or Json. <b>Default</b>: what
    /// <c>&lt;Root&gt;/tables</c> holds; Parquet for a new root. A format the root contradicts is refused.
    /// </summary>
    public DiskFormat? TableFormat { get; set; }

    /// <summary>Zarr format version of new arrays, 2 or 3. <b>Default</b>: the root's version (3 for a new root), so versions do not mix.</summary>
    public int? ZarrVersion { get; set; }

    /// <summary>Compressor of new Zarr arrays: None, Gzip, Zlib (version 2 only) or Zstd. <b>Default</b>: what the root records (none for a new root).</summary>
    public ZarrCompressor? ZarrCodec { get; set; }

    /// <summary>When acknowledged changes are safe from a crash: None or Journal. <b>Default</b>: None.</summary>
    public Durability Durability { get; set; } = Durability.None;

    /// <summary>The journal database (ADO.NET connection string). <b>Default</b>: SQLite file <c>&lt;Root&gt;/.store-journal.db</c>.</summary>
    public string? JournalConnectionString { get; set; }

    /// <summary>The journal database's kind: <c>SQLite.MS</c> (a file, the store's own SQLite journal) or a linq2db provider name for a server database such as <c>PostgreSQL.15</c>. <b>Default</b>: <c>SQLite.MS</c>.</summary>
    public string JournalProvider { get; set; } = "SQLite.MS";

    /// <summary>Unflushed bytes each store may buffer before its paths flush on their own. <b>Default</b>: 256 MiB.</summary>
    public long MaxBufferedBytes { get; set; } = 256L << 20;

    /// <summary>The most one table read or query may return, in bytes of Arrow buffers; larger results are refused. <b>Default</b>: 1 GiB.</summary>
    public long MaxResultBytes { get; set; } = 1L << 30;

    /// <summary>How often the host flushes both stores. <b>Default</b>: 30 s.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a flush may take before the paths still busy are reported as failed (in cluster mode
    /// also what a path's handover may take, so <c>Cluster:HandOffTimeout</c> is longer). <b>Default</b>: 5 min.
    /// </summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Cluster mode (<see cref="StoreClusterOptions"/>). <b>Default</b>: off.</summary>
    public StoreClusterOptions Cluster { get; set; } = new();

    /// <summary>A HOCON file (such as <c>config/store.conf</c>) layered over the store's built-in actor settings. <b>Default</b>: none.</summary>
    public string? ActorConfigFile { get; set; }

    /// <summary>The root of the array store.</summary>
    public string ArrayRoot => Path.Combine(Root, "arrays");

    /// <summary>The root of the table store.</summary>
    public string TableRoot => Path.Combine(Root, "tables");

    /// <summary>The journal connection string both stores share.</summary>
    public string ResolvedJournalConnectionString() =>
        JournalConnectionString ?? StoreActorConfig.SqliteJournal(Path.Combine(Root, ActorStoreOptions.DefaultJournalFile));

    /// <summary>The actor store options of the array store.</summary>
    public ActorStoreOptions ArrayStore() => Common(ArrayRoot, ArrayFormat) with
    {
        // Neither set: new arrays follow what the root records.
        Zarr = ZarrVersion is null && ZarrCodec is null ? null : new ZarrOptions { Version = ZarrVersion, Compressor = ZarrCodec ?? ZarrCompressor.None },
    };

    /// <summary>The actor store options of the table store.</summary>
    public ActorStoreOptions TableStore() => Common(TableRoot, TableFormat);

    private ActorStoreOptions Common(string root, DiskFormat? format) => new()
    {
        // A memory-only store takes no root.
        Root = format == DiskFormat.None ? "" : root,
        Mode = Mode,
        DiskFormat = format,
        Durability = Durability,
        // Read-only stores neither journal nor replay, so they must not create a journal file.
        JournalConnectionString = Durability == Durability.Journal && StoreModes.Parse(Mode).CanWrite() ? ResolvedJournalConnectionString() : null,
        JournalProvider = JournalProvider,
        MaxBufferedBytes = MaxBufferedBytes,
        MaxResultBytes = MaxResultBytes,
        FlushTimeout = FlushTimeout,
        StoreId = Cluster.Enabled ? Cluster.StoreId : null,
        Cluster = Cluster.Enabled ? new ClusterStoreOptions { NumberOfShards = Cluster.NumberOfShards } : null,
    };
}
