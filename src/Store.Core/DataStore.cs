using System.Runtime.CompilerServices;
using Store.Core.Formats;
using Store.Core.Formats.Zarr;
using Store.Core.Storage;

namespace Store.Core;

/// <summary>
/// The seed's abstract <c>Store</c>: a root folder opened in a mode, flushed in a disk format.
/// Opening enforces the mode table: <c>r</c> and <c>r+</c> need an existing root, <c>w-</c> a
/// missing one, <c>a</c>, <c>w</c> and <c>w-</c> create it. A writable open takes the root's
/// one-writer lock (<see cref="StoreLockedException"/> when another store holds it). The disk format
/// is the one asked for, else the one the root's manifest records, else the one its files show
/// (a root another tool wrote), else the kind's default for a new root (Zarr, Parquet); asking for a
/// format the root contradicts is a <see cref="StoreModeException"/> naming both.
/// <see cref="DiskFormat.None"/> stores live in memory, only when asked for, and take no root.
/// Typed operations live in <see cref="DataStore{TData, TView, TReference}"/>.
/// </summary>
public abstract class DataStore : IDisposable
{
    // Writable disk stores not disposed yet, for the warning at process exit.
    private static readonly ConditionalWeakTable<DataStore, object?> Open = [];
    private readonly RootLock? _lock;

    static DataStore() => AppDomain.CurrentDomain.ProcessExit += (_, _) => WarnUndisposed("the process exited");

    /// <summary>Opens the root as <paramref name="mode"/> demands and settles its disk format.</summary>
    /// <param name="path">The root folder; empty for <see cref="DiskFormat.None"/>.</param>
    /// <param name="mode">How to open it.</param>
    /// <param name="diskFormat">The format flushes write; null for what the root holds (a new root: the kind's default).</param>
    /// <param name="kind">What the store holds.</param>
    /// <param name="clusterId">
    /// For a node of a cluster store: its id. The root is then locked shared with the cluster's other
    /// nodes (see <see cref="ClusterId"/>); modes <c>w</c> and <c>w-</c>, which would clear or claim
    /// the whole root, are refused.
    /// </param>
    /// <exception cref="StoreModeException">The root does not satisfy the mode, or holds another format or kind than asked.</exception>
    /// <exception cref="StoreLockedException">Another store has the root open for writing.</exception>
    protected DataStore(string path, StoreMode mode, DiskFormat? diskFormat, StoreKind kind, string? clusterId = null)
    {
        Mode = mode;
        Kind = kind;
        ClusterId = clusterId;
        if (clusterId is not null && mode is StoreMode.Write or StoreMode.WriteNew)
        {
            throw new StoreModeException(
                $"A node of cluster store '{clusterId}' cannot open '{path}' with mode '{mode.ToToken()}': it would clear or claim a root the other nodes write too; expected 'a' or 'r+' (clearing a cluster store is done offline).",
                path);
        }

        if (diskFormat == Core.DiskFormat.None)
        {
            if (!string.IsNullOrEmpty(path))
            {
                throw new StoreModeException(
                    $"A memory-only store (DiskFormat.None) takes no root, but '{path}' was given: give the root without a format (to use what it holds) or with its format, or \"\" for memory only.",
                    path);
            }

            Path = path;
            return;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new StoreModeException("A store needs a root folder; for a store in memory only, ask for DiskFormat.None explicitly.");
        }

        var existed = Directory.Exists(System.IO.Path.GetFullPath(path));
        Path = PrepareRoot(path, mode);
        try
        {
            _lock = !mode.CanWrite() ? null : clusterId is null ? RootLock.Acquire(Path, mode) : RootLock.AcquireShared(Path, clusterId);
            (DiskFormat, Manifest) = SettleFormat(diskFormat, existed);
        }
        catch
        {
            _lock?.Dispose();
            throw;
        }

        if (mode.CanWrite())
        {
            Open.AddOrUpdate(this, null);
        }
    }

    /// <summary>Warns (see <see cref="Warning"/>) when a writable store is collected undisposed with changes it never flushed.</summary>
    ~DataStore()
    {
        if (!IsDisposed && _lock is not null)
        {
            WarnIfUnflushed(this, "it was not disposed and went out of scope");
        }
    }

    /// <summary>
    /// Where the store's warnings go: an undisposed writable store whose process exits, or that is
    /// collected, with unflushed changes. <b>Default</b>: standard error. Set it to route them to a logger.
    /// </summary>
    public static Action<string> Warning { get; set; } = message => Console.Error.WriteLine(message);

    /// <summary>Bytes appended or written since the last flush that a disk store's files do not hold yet (0 in memory).</summary>
    public abstract long UnflushedBytes { get; }

    /// <summary>The root folder (a full path), or what was given for a memory-only store.</summary>
    public string Path { get; }

    /// <summary>The mode the store was opened in.</summary>
    public StoreMode Mode { get; }

    /// <summary>The format <see cref="Flush"/> writes.</summary>
    public DiskFormat DiskFormat { get; }

    /// <summary>The root's manifest as the store found it (null: none, or mode <c>w</c>, which starts afresh).</summary>
    private protected RootManifest? Manifest { get; }

    /// <summary>What the store holds.</summary>
    public StoreKind Kind { get; }

    /// <summary>
    /// The cluster store this store is one node of, or null for a single-machine store. Nodes share
    /// the root, each writing only the paths the cluster gives it; when a path moves to another node,
    /// that node's store <see cref="DataStore{TData, TView, TReference}.Reload"/>s it from the files.
    /// </summary>
    public string? ClusterId { get; }

    /// <summary>Whether the store has been disposed.</summary>
    protected bool IsDisposed { get; private set; }

    /// <summary>Makes every change so far durable on disk in <see cref="DiskFormat"/>; a no-op in memory.</summary>
    /// <exception cref="StoreModeException">The store is read-only.</exception>
    public abstract void Flush();

    /// <summary>Every entry path, in memory or on disk, sorted.</summary>
    public abstract IReadOnlyList<string> Available();

    /// <summary>
    /// Throws unless <paramref name="path"/> can become an entry of this store: it follows the path
    /// rules, its files fit the file system's name and path lengths once the disk format's extension,
    /// sidecars and temporary names are added, and no existing name on the way is a symbolic link.
    /// The store runs it on the first command for a path (later commands to a known path skip it);
    /// a router (the actor store) runs it before it accepts a path, so a path the disk cannot hold
    /// is refused before it is acknowledged. Memory-only stores check the path rules only.
    /// </summary>
    /// <exception cref="InvalidPathException">The path is refused; the message names it and what is wrong.</exception>
    public void ValidatePath(string path)
    {
        if (Layout is { } layout)
        {
            layout.CheckNew(Path, path);
        }
        else
        {
            StorePaths.Validate(path);
        }
    }

    /// <summary>The names the disk format gives an entry, with their length and link checks; null in memory.</summary>
    private protected abstract EntryLayout? Layout { get; }

    /// <summary><see cref="Flush"/> on the thread pool.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.Run(Flush, cancellationToken);

    /// <summary><see cref="Available"/> on the thread pool.</summary>
    public Task<IReadOnlyList<string>> AvailableAsync(CancellationToken cancellationToken = default) =>
        Task.Run(Available, cancellationToken);

    /// <summary>Flushes unflushed changes of a writable disk store, then releases memory and files.</summary>
    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        try
        {
            if (Mode.CanWrite() && DiskFormat != DiskFormat.None)
            {
                Flush();
            }
        }
        finally
        {
            Close();
        }
    }

    /// <summary>
    /// Closes the store without writing anything: unflushed changes are dropped and the root's lock
    /// is released. For a cluster node whose paths flush themselves as they move or stop: what one
    /// did not flush is in the journal for its next owner, and a node that is stopping (or was cut
    /// off) must not write over files that another node may own by now.
    /// </summary>
    public void Detach()
    {
        if (!IsDisposed)
        {
            Close();
        }
    }

    private void Close()
    {
        IsDisposed = true;
        Release();
        _lock?.Dispose();
        Open.Remove(this);
        GC.SuppressFinalize(this);
    }

    private static void WarnUndisposed(string why)
    {
        foreach (var (store, _) in Open)
        {
            WarnIfUnflushed(store, $"{why} before it was disposed");
        }
    }

    private static void WarnIfUnflushed(DataStore store, string why)
    {
        try
        {
            if (!store.IsDisposed && store.DiskFormat != DiskFormat.None && store.UnflushedBytes is > 0 and var bytes)
            {
                Warning($"Store warning: the {RootManifest.Plural(store.Kind)[..^1]} store at '{store.Path}' holds {bytes} bytes not flushed to disk, and {why}: they are lost. Dispose the store (or call Flush) when done.");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A warning must never fail the exit or the finalizer.
        }
    }

    /// <summary>Frees buffers and open files; called once by <see cref="Dispose"/>.</summary>
    protected abstract void Release();

    /// <summary>Throws unless the mode allows <paramref name="operation"/> and the store is open.</summary>
    protected void EnsureWritable(string operation, string? path = null)
    {
        EnsureOpen();
        if (!Mode.CanWrite())
        {
            throw new StoreModeException(
                $"Cannot {operation}{(path is null ? "" : $" '{path}'")}: the store at '{Path}' is open in mode 'r' (read only); open it with 'r+', 'a' or 'w' to change it.",
                path);
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once disposed.</summary>
    protected void EnsureOpen() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    /// <summary>
    /// Finishes opening a disk store once its codec is ready: mode <c>w</c> has removed what the root
    /// held, and a writable store records what the root now holds when the manifest is missing or stale.
    /// </summary>
    private protected void Opened(ZarrOptions? zarr)
    {
        if (Mode.CanWrite() && DiskFormat != DiskFormat.None && Manifest is null)
        {
            new RootManifest(Kind, DiskFormat, zarr).Write(Path);
        }
    }

    /// <summary>Releases the root lock of a store whose constructor failed after the base opened the root.</summary>
    private protected void AbandonOpen() => _lock?.Dispose();

    /// <summary>Mode <c>w</c>: removes the files of the format the root held before (when another) and of this store's format.</summary>
    private protected void ClearRoot(DiskFormat? previous)
    {
        foreach (var format in new[] { previous, DiskFormat }.OfType<DiskFormat>().Distinct())
        {
            if (RootManifest.KindOf(format) == StoreKind.Array)
            {
                ArrayCodec.Create(format, null)?.Clear(Path);
            }
            else
            {
                TableCodec.Create(format)?.Clear(Path);
            }
        }
    }

    // The format asked for, or the one the root records or shows; a contradiction is refused.
    private (DiskFormat Format, RootManifest? Manifest) SettleFormat(DiskFormat? requested, bool existed)
    {
        var manifest = existed ? RootManifest.Read(Path) : null;
        var kinds = RootManifest.Plural(Kind);
        if (Mode == StoreMode.Write)
        {
            PreviousFormat = manifest?.Format ?? (existed ? RootManifest.Detect(Path).Keys.Cast<DiskFormat?>().FirstOrDefault() : null);
            return (requested ?? Default(Kind), null);
        }

        if (manifest is not null)
        {
            if (manifest.Kind != Kind)
            {
                throw new StoreModeException(
                    $"Store root '{Path}' holds {RootManifest.Plural(manifest.Kind)} ({manifest.Format}, recorded in {RootManifest.FileName}); it cannot be opened as a store of {kinds}.", Path);
            }

            if (requested is { } asked && asked != manifest.Format)
            {
                throw new StoreModeException(
                    $"Store root '{Path}' holds {manifest.Format} {kinds} (recorded in {RootManifest.FileName}), but DiskFormat {asked} was asked; open it without a format, or with {manifest.Format}.", Path);
            }

            return (manifest.Format, manifest);
        }

        var found = existed ? RootManifest.Detect(Path) : new Dictionary<DiskFormat, string>();
        var ofKind = found.Where(f => RootManifest.KindOf(f.Key) == Kind).ToList();
        var other = found.Where(f => RootManifest.KindOf(f.Key) != Kind).ToList();
        string Describe(IEnumerable<KeyValuePair<DiskFormat, string>> formats) => string.Join(", ", formats.Select(f => $"{f.Key} ({f.Value})"));
        if (ofKind.Count == 0 && other.Count > 0)
        {
            throw new StoreModeException(
                $"Store root '{Path}' holds {RootManifest.Plural(RootManifest.KindOf(other[0].Key))}: {Describe(other)}; it cannot be opened as a store of {kinds}.", Path);
        }

        if (requested is { } format)
        {
            if (ofKind.Count > 0 && ofKind.All(f => f.Key != format))
            {
                throw new StoreModeException(
                    $"Store root '{Path}' holds {Describe(ofKind)}, but DiskFormat {format} was asked; open it without a format, or with {ofKind[0].Key}.", Path);
            }

            return (format, null);
        }

        return ofKind.Count switch
        {
            1 => (ofKind[0].Key, null),
            > 1 => throw new StoreModeException(
                $"Store root '{Path}' holds {kinds} in several formats: {Describe(ofKind)}; give the DiskFormat to open.", Path),
            _ when Mode is StoreMode.Read or StoreMode.ReadWrite => throw new StoreModeException(
                $"Store root '{Path}' holds no store: no {RootManifest.FileName} and no files of any format; give a DiskFormat (or open it with mode 'a' to create a {Default(Kind)} store).", Path),
            _ => (Default(Kind), null),
        };
    }

    /// <summary>Mode <c>w</c>: the format the root held before it is cleared, if any.</summary>
    private protected DiskFormat? PreviousFormat { get; private set; }

    /// <summary>The format of a new root when none is asked for.</summary>
    public static DiskFormat Default(StoreKind kind) => kind == StoreKind.Array ? DiskFormat.Zarr : DiskFormat.Parquet;

    private static string PrepareRoot(string path, StoreMode mode)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new StoreModeException("A store with a disk format needs a root folder; an empty path is only valid with DiskFormat.None.");
        }

        var root = System.IO.Path.GetFullPath(path);
        if (File.Exists(root))
        {
            throw new StoreModeException($"Store root '{root}' is a file; expected a folder.", root);
        }

        var exists = Directory.Exists(root);
        switch (mode)
        {
            case StoreMode.Read or StoreMode.ReadWrite when !exists:
                throw new StoreModeException(
                    $"Store root '{root}' does not exist; mode '{mode.ToToken()}' opens an existing store (use 'a' or 'w' to create one).", root);
            case StoreMode.WriteNew when exists:
                throw new StoreModeException(
                    $"Store root '{root}' already exists; mode 'w-' creates a new store only (use 'a' to add to it or 'w' to overwrite it).", root);
            case StoreMode.Append or StoreMode.Write or StoreMode.WriteNew:
                Directory.CreateDirectory(root);
                break;
        }

        return root;
    }
}
