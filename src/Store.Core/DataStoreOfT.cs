namespace Store.Core;

/// <summary>
/// The seed's <c>Store</c> operations for one kind of data: <typeparamref name="TData"/> in and out,
/// <typeparamref name="TView"/> to select part of it, <typeparamref name="TReference"/> for lazy access.
/// The data operations have <c>…Async</c> forms; those that may touch the disk run on the thread pool.
/// </summary>
/// <typeparam name="TData">The in-memory data (an array, a table).</typeparam>
/// <typeparam name="TView">A selection of part of an entry.</typeparam>
/// <typeparam name="TReference">What <see cref="Get"/> returns: reads only what is asked.</typeparam>
public abstract class DataStore<TData, TView, TReference> : DataStore
    where TData : class
    where TView : class
    where TReference : class
{
    /// <inheritdoc />
    protected DataStore(string path, StoreMode mode, DiskFormat? diskFormat, StoreKind kind, string? clusterId = null)
        : base(path, mode, diskFormat, kind, clusterId)
    {
    }

    /// <summary>
    /// Forgets what this store holds of <paramref name="path"/> in memory, unflushed changes included,
    /// so that its next use reads the entry's files as they are now. For cluster nodes: the node that
    /// takes a path over sees what the previous owner flushed, and the one that gave it up keeps no
    /// stale copy. A live reference from <see cref="Get"/> taken before keeps what it had.
    /// </summary>
    /// <exception cref="InvalidPathException">The path is refused.</exception>
    public abstract void Reload(string path);

    /// <summary>
    /// Adds the entries that appeared on disk since the store opened (written by the other nodes of a
    /// cluster store) to what <see cref="DataStore.Available"/> lists; entries it holds are left as they are.
    /// </summary>
    public abstract void DiscoverNew();

    /// <summary>Without a view, creates or replaces the entry at <paramref name="path"/>; with one, writes into that region.</summary>
    public abstract void Write(string path, TData data, TView? view = null);

    /// <summary>Adds <paramref name="data"/> to the end of the entry, creating it when missing.</summary>
    /// <returns>The indices the appended data occupies.</returns>
    public abstract IndexRange Append(string path, TData data);

    /// <summary>
    /// Makes the changes to one entry durable on disk (a no-op in memory or when it has none).
    /// Formats that keep every entry in one file (NPZ) flush the whole store.
    /// </summary>
    /// <exception cref="StoreModeException">The store is read-only.</exception>
    /// <exception cref="StoreException">The entry could not be flushed.</exception>
    public abstract void Flush(string path);

    /// <summary>
    /// Drops the entry's changes since its last flush and reads it from the disk again; an entry
    /// that was never flushed disappears. In memory (<see cref="DiskFormat.None"/>) the entry is removed.
    /// </summary>
    /// <exception cref="InvalidPathException">The path breaks the path rules.</exception>
    public abstract void Discard(string path);

    /// <summary>A lazy reference to the entry, or null when there is none.</summary>
    public abstract TReference? Get(string path);

    /// <summary>An in-memory copy of the entry or of the selected part, or null when there is none.</summary>
    public abstract TData? Read(string path, TView? view = null);

    /// <summary><see cref="Write"/> as a task (it works in memory and completes at once).</summary>
    public Task WriteAsync(string path, TData data, TView? view = null) =>
        Completed(() =>
        {
            Write(path, data, view);
            return true;
        });

    /// <summary><see cref="Append"/> as a task (it works in memory and completes at once).</summary>
    public Task<IndexRange> AppendAsync(string path, TData data) => Completed(() => Append(path, data));

    /// <summary><see cref="Get"/> on the thread pool.</summary>
    public Task<TReference?> GetAsync(string path, CancellationToken cancellationToken = default) =>
        Task.Run(() => Get(path), cancellationToken);

    /// <summary><see cref="Read"/> on the thread pool.</summary>
    public Task<TData?> ReadAsync(string path, TView? view = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Read(path, view), cancellationToken);

    private static Task<T> Completed<T>(Func<T> operation)
    {
        try
        {
            return Task.FromResult(operation());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }
}
