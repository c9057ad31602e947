using Store.Core;

namespace Store.Actors;

/// <summary>
/// The one place that knows whether the store holds arrays or tables: applies protocol commands,
/// whose data is typed <c>object</c>, to the Store.Core store the path actors share. Each path is
/// only ever touched by its own actor, and the core store is thread-safe across paths.
/// </summary>
internal abstract class EntryOps : IDisposable
{
    /// <summary>The core store.</summary>
    public abstract DataStore Store { get; }

    /// <summary>Opens the core store for <paramref name="kind"/> as the options say.</summary>
    /// <exception cref="StoreModeException">The root does not satisfy the mode.</exception>
    public static EntryOps Open(StoreKind kind, ActorStoreOptions options) => kind switch
    {
        StoreKind.Array => new ArrayEntryOps(options),
        StoreKind.Table => new TableEntryOps(options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Appends and returns the range the data was given.</summary>
    public abstract IndexRange Append(string path, object data);

    /// <summary>Creates, replaces or (with a view) writes into the entry.</summary>
    public abstract void Write(string path, object data, object? view);

    /// <summary>An in-memory copy, or null when there is no entry.</summary>
    public abstract object? Read(string path, object? view);

    /// <summary>A live reference, or null when there is no entry.</summary>
    public abstract object? Get(string path);

    /// <summary>An array's shape or a table's row count, or null when there is no entry.</summary>
    public abstract object? Shape(string path);

    /// <summary>A table query, or null when there is no table.</summary>
    public abstract object? Query(StoreProtocol.Query query);

    /// <summary>Rewrites the entry's stored rows as one part file; the answer is whether anything was rewritten.</summary>
    /// <exception cref="StoreException">The store holds arrays, which have no parts.</exception>
    public virtual object? Compact(string path) =>
        throw new StoreException($"Cannot compact '{path}': only tables (Parquet, Arrow IPC) are stored in parts.", path);

    /// <summary>An array's dtype, or null when there is no entry.</summary>
    public abstract object? DTypeOf(string path);

    /// <summary>One table column as an Arrow array, or null when there is no table.</summary>
    public abstract object? ReadColumn(string path, string column);

    /// <summary>The views an array iteration reads, one per block, or null when there is no entry.</summary>
    public abstract object? IterViews(StoreProtocol.IterViews iter);

    /// <summary>The entry's length along axis 0 (rows), 0 when there is no entry.</summary>
    public abstract long Length(string path);

    /// <summary>Drops the entry's unflushed changes; it reads from its files again.</summary>
    public abstract void Discard(string path);

    /// <summary>Cluster mode: forgets the entry's in-memory state (unflushed changes included); it reads its files again.</summary>
    public abstract void Reload(string path);

    /// <summary>Cluster mode: every entry path this node holds or finds on disk now (other nodes' included).</summary>
    public abstract IReadOnlyList<string> AvailableWithNew();

    /// <summary>Writes the entry's changes to disk.</summary>
    public abstract void Flush(string path);

    /// <inheritdoc />
    public void Dispose() => Store.Dispose();
}
