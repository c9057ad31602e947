namespace Store.Core;

/// <summary>
/// The seed's abstract <c>Store</c>: a root folder opened in a mode, flushed in a disk format.
/// Opening enforces the mode table: <c>r</c> and <c>r+</c> need an existing root, <c>w-</c> a
/// missing one, <c>a</c>, <c>w</c> and <c>w-</c> create it. <see cref="DiskFormat.None"/> stores
/// live in memory and never touch the path. Typed operations live in
/// <see cref="DataStore{TData, TView, TReference}"/>.
/// </summary>
public abstract class DataStore : IDisposable
{
    /// <summary>Opens the root as <paramref name="mode"/> demands.</summary>
    /// <param name="path">The root folder; ignored (may be empty) for <see cref="DiskFormat.None"/>.</param>
    /// <param name="mode">How to open it.</param>
    /// <param name="diskFormat">The format flushes write.</param>
    /// <param name="kind">What the store holds.</param>
    /// <exception cref="StoreModeException">The root does not satisfy the mode.</exception>
    protected DataStore(string path, StoreMode mode, DiskFormat diskFormat, StoreKind kind)
    {
        Mode = mode;
        DiskFormat = diskFormat;
        Kind = kind;
        Path = diskFormat == DiskFormat.None ? path : PrepareRoot(path, mode);
    }

    /// <summary>The root folder (a full path), or what was given for a memory-only store.</summary>
    public string Path { get; }

    /// <summary>The mode the store was opened in.</summary>
    public StoreMode Mode { get; }

    /// <summary>The format <see cref="Flush"/> writes.</summary>
    public DiskFormat DiskFormat { get; }

    /// <summary>What the store holds.</summary>
    public StoreKind Kind { get; }

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
    public abstract void ValidatePath(string path);

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
            IsDisposed = true;
            Release();
            GC.SuppressFinalize(this);
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
