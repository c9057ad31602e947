using System.Collections.Concurrent;
using Store.Core.Formats;
using Store.Core.Formats.Zarr;
using Store.Core.Storage;

namespace Store.Core.Arrays;

/// <summary>
/// N-dimensional arrays by path, in memory (<see cref="DiskFormat.None"/>) or flushed as NPY files,
/// one NPZ archive, or a Zarr v2/v3 group. Appends concatenate along axis 0 into pooled chunks; <see cref="DataStore.Flush"/>
/// writes only what changed. Safe to call from many threads: each entry serializes its own access.
/// </summary>
/// <example>
/// <code>
/// using var store = new ArrayStore("out/arrays", StoreMode.Append, DiskFormat.Npy);
/// store.Append("run0/coordinates", NdArray.From(frame, 1, atoms, 3));
/// store.Flush();
/// </code>
/// </example>
public sealed class ArrayStore : DataStore<NdArray, ArrayView, ArrayReference>
{
    private readonly ArrayCodec? _codec;
    private readonly ChunkPool _pool;
    private readonly ConcurrentDictionary<string, ArrayEntry> _entries = new(StringComparer.Ordinal);

    // One archive holds every NPZ entry, so its flushes (whole-store or one entry's) take turns.
    private readonly Lock _archiveFlushGate = new();

    /// <summary>Opens an array store; <paramref name="mode"/> is a seed token (<c>r</c>, <c>r+</c>, <c>a</c>, <c>w</c>, <c>w-</c>).</summary>
    /// <param name="path">The root folder; empty for <see cref="DiskFormat.None"/>.</param>
    /// <param name="mode">The seed's mode token.</param>
    /// <param name="diskFormat">The format; null (the default) for what the root holds, Zarr for a new root.</param>
    /// <param name="zarr">How <see cref="DiskFormat.Zarr"/> lays out new arrays; null for what the root records.</param>
    public ArrayStore(string path, string mode, DiskFormat? diskFormat = null, ZarrOptions? zarr = null)
        : this(path, StoreModes.Parse(mode), diskFormat, zarr: zarr)
    {
    }

    /// <summary>Opens an array store.</summary>
    /// <param name="path">The root folder; empty for <see cref="DiskFormat.None"/>.</param>
    /// <param name="mode">How to open the root; see <see cref="StoreMode"/>.</param>
    /// <param name="diskFormat">
    /// <see cref="DiskFormat.None"/> (memory only), <see cref="DiskFormat.Npy"/>, <see cref="DiskFormat.Npz"/> or
    /// <see cref="DiskFormat.Zarr"/>; null for the format the root's manifest records or its files show
    /// (a new root: Zarr). A format the root contradicts is refused.
    /// </param>
    /// <param name="pool">Where buffer chunks come from and return to. <b>Default</b>: <see cref="ChunkPool.Shared"/>.</param>
    /// <param name="zarr">
    /// How <see cref="DiskFormat.Zarr"/> lays out new arrays. <b>Default</b>: what the root's manifest
    /// records; for a new root v3, uncompressed, ~2 MiB chunks along axis 0. A null
    /// <see cref="ZarrOptions.Version"/> follows the root's version, so v2 and v3 arrays do not mix.
    /// </param>
    /// <exception cref="StoreModeException">The root does not satisfy the mode, or holds another format or tables.</exception>
    /// <exception cref="StoreLockedException">Another store has the root open for writing.</exception>
    /// <exception cref="CorruptDataException">An NPZ archive that is not a ZIP file.</exception>
    /// <exception cref="StoreException">Invalid <paramref name="zarr"/> options.</exception>
    /// <param name="clusterId">For a node of a cluster store, its id (see <see cref="DataStore.ClusterId"/>); null for a single-machine store. NPZ is refused then (one archive holds every entry).</param>
    public ArrayStore(string path, StoreMode mode, DiskFormat? diskFormat, ChunkPool? pool = null, ZarrOptions? zarr = null, string? clusterId = null)
        : base(path, mode, ArrayCodec.Check(diskFormat, zarr), StoreKind.Array, clusterId)
    {
        _pool = pool ?? ChunkPool.Shared;
        try
        {
            if (DiskFormat == DiskFormat.None)
            {
                return;
            }

            if (clusterId is not null && DiskFormat == DiskFormat.Npz)
            {
                throw new StoreModeException(
                    $"A node of cluster store '{clusterId}' cannot write '{Path}' as NPZ: one archive holds every entry, and each node writes only the paths it owns; use Npy or Zarr.",
                    Path);
            }

            if (mode == StoreMode.Write)
            {
                ClearRoot(PreviousFormat);
            }

            var layout = DiskFormat == DiskFormat.Zarr ? ZarrLayout(zarr) : null;
            _codec = ArrayCodec.Create(DiskFormat, layout);
            foreach (var entryPath in _codec!.Discover(Path))
            {
                _entries[entryPath] = ArrayEntry.CreateDiscovered(entryPath, _codec, Path, _pool);
            }

            Opened(layout);
        }
        catch
        {
            AbandonOpen();
            throw;
        }
    }

    /// <summary>A writable store that lives in memory only.</summary>
    public static ArrayStore InMemory() => new("", StoreMode.Append, DiskFormat.None);

    /// <inheritdoc />
    /// <exception cref="StoreModeException">The store is read-only.</exception>
    /// <exception cref="InvalidPathException">The path breaks the path rules.</exception>
    /// <exception cref="EntryNotFoundException">A view write to a missing entry.</exception>
    /// <exception cref="ShapeException">The view is out of bounds or the data does not fit it.</exception>
    public override void Write(string path, NdArray data, ArrayView? view = null)
    {
        EnsureWritable("write", path);
        var entry = view is null ? EntryFor(path) : Existing(path)
            ?? throw new EntryNotFoundException($"Cannot write through view [{view}]: entry '{path}' does not exist.", path);
        entry.Write(data, view);
    }

    /// <summary>
    /// Creates or replaces the entry, chunked as <paramref name="chunks"/> (one length per axis) in
    /// chunked formats (Zarr) instead of the store's default; other formats ignore the chunks.
    /// </summary>
    /// <exception cref="ShapeException">
    /// A chunk shape without one positive length per axis of the data, or whose chunk holds more
    /// bytes than one chunk buffer (<see cref="Array.MaxLength"/>).
    /// </exception>
    public void Write(string path, NdArray data, int[] chunks)
    {
        EnsureWritable("write", path);
        if (chunks.Length != data.Rank || chunks.Any(c => c < 1))
        {
            throw new ShapeException($"Chunk shape {Shapes.Format(chunks.AsSpan())} for '{path}' needs one positive length per axis of {Shapes.Format(data.Shape.AsSpan())}.", path);
        }

        if (Shapes.ChunkBytes(chunks, data.DType.ItemSize()) < 0)
        {
            throw new ShapeException(
                $"Chunk shape {Shapes.Format(chunks.AsSpan())} for '{path}' holds more than {Array.MaxLength} bytes of {data.DType.Name()} per chunk, the most one chunk buffer holds; expected smaller chunks.", path);
        }

        EntryFor(path).Write(data, null, chunks);
    }

    /// <inheritdoc />
    /// <exception cref="ShapeException">Another dtype or <c>shape[1..]</c> than the entry's, or a 0-d array.</exception>
    public override IndexRange Append(string path, NdArray data)
    {
        EnsureWritable("append to", path);
        return EntryFor(path).Append(data);
    }

    /// <inheritdoc />
    /// <exception cref="StoreException">Some entries could not be flushed; every other entry was.</exception>
    public override void Flush()
    {
        EnsureWritable("flush");
        if (_codec is null)
        {
            return;
        }

        lock (_archiveFlushGate)
        {
            _codec.Flush(Path, [.. _entries.Values]);
        }
    }

    /// <inheritdoc />
    public override void Flush(string path)
    {
        EnsureWritable("flush", path);
        if (_codec is null || !_entries.TryGetValue(path, out var entry))
        {
            return;
        }

        if (_codec.Format == DiskFormat.Npz)
        {
            Flush();
            return;
        }

        _codec.Flush(Path, [entry]);
    }

    /// <inheritdoc />
    public override void Discard(string path)
    {
        EnsureOpen();
        if (!_entries.TryGetValue(StorePaths.Validate(path), out var entry))
        {
            return;
        }

        if (_codec is null)
        {
            if (_entries.TryRemove(path, out var removed))
            {
                removed.Dispose();
            }

            return;
        }

        entry.Discard();
    }

    /// <inheritdoc />
    private protected override EntryLayout? Layout => _codec?.Layout;

    /// <inheritdoc />
    public override long UnflushedBytes => _codec is null ? 0 : _entries.Values.Sum(e => e.UnflushedBytes);

    /// <inheritdoc />
    public override IReadOnlyList<string> Available()
    {
        EnsureOpen();
        return _entries.Values.Where(e => e.Exists).Select(e => e.Path).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A live reference to the entry that reads only the selection asked of it (flushed NPY data
    /// through a memory map), or null when there is no entry.
    /// </summary>
    public override ArrayReference? Get(string path)
    {
        var entry = Existing(path);
        return entry?.Shape is null ? null : new ArrayReference(entry);
    }

    /// <inheritdoc />
    /// <exception cref="ShapeException">The view is out of bounds, or the selection is larger than one in-memory array.</exception>
    /// <exception cref="CorruptDataException">The entry's file cannot be read.</exception>
    public override NdArray? Read(string path, ArrayView? view = null) => Existing(path)?.Read(view);

    /// <summary>The entry's shape, or null when there is no entry.</summary>
    public long[]? Shape(string path) => Existing(path)?.Shape;

    /// <summary>The entry's dtype, or null when there is no entry.</summary>
    public DType? DTypeOf(string path) => Existing(path)?.DType;

    /// <summary>
    /// Streams the entry in blocks along axis 0: the <paramref name="view"/> is applied first, then
    /// the positions of its axis 0 listed in <paramref name="elements"/> (all when null) are read
    /// <paramref name="chunkSize"/> at a time, each block only when it is reached. The default block
    /// is one chunk of a flushed Zarr array (so blocks are chunk-aligned), else 1000 rows.
    /// </summary>
    /// <exception cref="ShapeException">The view drops axis 0, an element is out of bounds, or the chunk size is below 1.</exception>
    public IEnumerable<NdArray> Iter(string path, IReadOnlyList<long>? elements = null, ArrayView? view = null, int? chunkSize = null) =>
        Existing(path)?.Iter(elements, view, chunkSize) ?? [];

    /// <summary>
    /// The views <see cref="Iter"/> reads, one per block in order: axis 0 narrowed to the block's rows
    /// of the entry as it is now (absolute row numbers), the other axes as <paramref name="view"/>
    /// selects them; null when there is no entry. The arguments are checked now, and the views are
    /// computed from numbers fixed now, so they can be read one at a time later or elsewhere: the
    /// actor store sends each as one read, so an iteration never holds the path's actor.
    /// </summary>
    /// <exception cref="ShapeException">The view drops axis 0, an element is out of bounds, or the chunk size is below 1.</exception>
    public IEnumerable<ArrayView>? IterViews(string path, IReadOnlyList<long>? elements = null, ArrayView? view = null, int? chunkSize = null) =>
        Existing(path)?.IterViews(elements, view, chunkSize);

    /// <inheritdoc />
    public override void Reload(string path)
    {
        EnsureOpen();
        ValidatePath(path);
        var fresh = _codec is null ? null : ArrayEntry.CreateDiscovered(path, _codec, Path, _pool);
        var old = fresh is null ? (_entries.TryRemove(path, out var removed) ? removed : null) : _entries.GetValueOrDefault(path);
        if (fresh is not null)
        {
            _entries[path] = fresh;
        }

        old?.Dispose();
    }

    /// <inheritdoc />
    public override void DiscoverNew()
    {
        EnsureOpen();
        foreach (var entryPath in _codec?.Discover(Path) ?? [])
        {
            _entries.TryAdd(entryPath, ArrayEntry.CreateDiscovered(entryPath, _codec!, Path, _pool));
        }
    }

    /// <inheritdoc />
    protected override void Release()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Dispose();
        }

        _entries.Clear();
    }

    // New arrays follow what the root records, else the version of its group (so v2 and v3 do not
    // mix), else the defaults; options given win, except a null version, which follows the root.
    private ZarrOptions ZarrLayout(ZarrOptions? requested)
    {
        var version = Manifest?.Zarr?.Version ?? RootManifest.ZarrVersion(Path) ?? 3;
        return requested switch
        {
            null => Manifest?.Zarr ?? new ZarrOptions { Version = version },
            { Version: null } => requested with { Version = version },
            _ => requested,
        };
    }

    // Only valid paths are ever added, so a hit needs no validation (nor file-system calls): appends skip it.
    private ArrayEntry EntryFor(string path) =>
        _entries.TryGetValue(path, out var entry)
            ? entry
            : _entries.GetOrAdd(Validated(path), p => ArrayEntry.CreateNew(p, _codec, Path, _pool));

    private string Validated(string path)
    {
        ValidatePath(path);
        return path;
    }

    private ArrayEntry? Existing(string path)
    {
        EnsureOpen();
        if (!_entries.TryGetValue(path, out var entry))
        {
            StorePaths.Validate(path);
            return null;
        }

        return entry.Exists ? entry : null;
    }
}
