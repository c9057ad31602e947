using Store.Core.Formats;

namespace Store.Core.Arrays;

/// <summary>
/// One array path's data: the flushed part, read lazily through the codec, and a chunked buffer of
/// what came after it. Appends copy into the buffer; view writes go into the buffer, or first pull
/// the flushed part into memory when they reach into it; flush hands the entry to the codec,
/// which writes what is new and calls <see cref="CompleteFlush"/>. Every member is thread-safe
/// through <see cref="Gate"/>; a codec holds the gate across a multi-step flush.
/// </summary>
internal sealed class ArrayEntry : IByteSource, IDisposable
{
    private const int CopyBlockBytes = 4 * 1024 * 1024;
    private const int DefaultBlockRows = 1000;

    private readonly ArrayCodec? _codec;
    private readonly string _root;
    private readonly ChunkPool _pool;
    private ChunkedBuffer _tail;
    private ArraySource? _source;
    private bool _loaded;
    private bool _exists;
    private DType _dtype;
    private long[] _shape = [];
    private long _persistedBytes;
    private long _version;

    private ArrayEntry(string path, ArrayCodec? codec, string root, ChunkPool pool, bool onDisk)
    {
        Path = path;
        _codec = codec;
        _root = root;
        _pool = pool;
        _tail = new ChunkedBuffer(pool);
        _loaded = !onDisk;
        _exists = onDisk;
    }

    /// <summary>The entry's path in its store.</summary>
    public string Path { get; }

    /// <summary>Serializes every access; codecs hold it across a flush.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Whether the entry holds data (written, appended, or found on disk).</summary>
    public bool Exists
    {
        get
        {
            lock (Gate)
            {
                return _exists;
            }
        }
    }

    /// <summary>Whether there are changes the disk does not have yet.</summary>
    public bool Dirty
    {
        get
        {
            lock (Gate)
            {
                return _exists && (NeedsRewrite || _tail.Length > 0);
            }
        }
    }

    /// <summary>Whether the flushed file is stale as a whole (a replace or a write into flushed data).</summary>
    public bool NeedsRewrite { get; private set; }

    /// <summary>The chunk shape asked for when the entry was last created or replaced (chunked formats), or null for the store's default.</summary>
    public int[]? RequestedChunks { get; private set; }

    /// <summary>Bytes of the entry held by the flushed file and not in memory.</summary>
    public long PersistedBytes => _persistedBytes;

    /// <summary>Bytes held in memory after the flushed part.</summary>
    public long BufferedBytes => _tail.Length;

    /// <summary>An entry with no data yet; the first write or append gives it some.</summary>
    public static ArrayEntry CreateNew(string path, ArrayCodec? codec, string root, ChunkPool pool) =>
        new(path, codec, root, pool, onDisk: false);

    /// <summary>An entry found on disk; its header is read on first use.</summary>
    public static ArrayEntry CreateDiscovered(string path, ArrayCodec codec, string root, ChunkPool pool) =>
        new(path, codec, root, pool, onDisk: true);

    /// <summary>The dtype, or null when the entry holds no data.</summary>
    public DType? DType
    {
        get
        {
            lock (Gate)
            {
                EnsureLoaded();
                return _exists ? _dtype : null;
            }
        }
    }

    /// <summary>A copy of the shape, or null when the entry holds no data.</summary>
    public long[]? Shape
    {
        get
        {
            lock (Gate)
            {
                EnsureLoaded();
                return _exists ? (long[])_shape.Clone() : null;
            }
        }
    }

    /// <summary>Concatenates <paramref name="data"/> along axis 0, creating the entry when it has no data.</summary>
    /// <returns>The axis-0 rows the data now occupies.</returns>
    /// <exception cref="ShapeException">A 0-d array, or another dtype or <c>shape[1..]</c> than the entry's.</exception>
    public IndexRange Append(NdArray data)
    {
        if (data.Rank == 0)
        {
            throw new ShapeException("A 0-d array cannot be appended: appends concatenate along axis 0.", Path);
        }

        lock (Gate)
        {
            EnsureLoaded();
            if (!_exists)
            {
                _codec?.CheckLayout(Path, data.DType, [.. data.Shape], null);
                Replace(data);
                return new IndexRange(0, data.Shape[0]);
            }

            if (_shape.Length == 0)
            {
                throw new ShapeException($"Entry '{Path}' is 0-d and has no axis 0 to append along.", Path);
            }

            if (data.DType != _dtype || data.Rank != _shape.Length || !data.Shape.AsSpan()[1..].SequenceEqual(_shape.AsSpan(1)))
            {
                throw new ShapeException(
                    $"Cannot append {data.DType.Name()} data of shape {Shapes.Format(data.Shape.AsSpan())} to '{Path}': expected {_dtype.Name()} with shape {Shapes.FormatRows(_shape)}.",
                    Path);
            }

            var start = _shape[0];
            if (data.Shape[0] > long.MaxValue - start)
            {
                throw new ShapeException($"Cannot append {data.Shape[0]} rows to '{Path}', which has {start}: the row count would pass {long.MaxValue}.", Path);
            }

            var rows = start + data.Shape[0];
            if (data.Bytes.Length == 0)
            {
                // Rows that hold bytes are bounded by the bytes held; empty ones (a 0 in shape[1..])
                // are not, so the grown shape is checked against numpy's size rule.
                var grown = (long[])_shape.Clone();
                grown[0] = rows;
                Shapes.ByteLength(grown, _dtype, Path);
            }

            _tail.Append(data.Bytes);
            _shape[0] = rows;
            return new IndexRange(start, data.Shape[0]);
        }
    }

    /// <summary>Without a view, creates or replaces the entry (with <paramref name="chunks"/> when given); with one, overwrites that region.</summary>
    /// <exception cref="EntryNotFoundException">A view write to an entry with no data.</exception>
    /// <exception cref="ShapeException">The view is out of bounds or the data does not fit it.</exception>
    public void Write(NdArray data, ArrayView? view, int[]? chunks = null)
    {
        lock (Gate)
        {
            if (view is null)
            {
                // A replaced entry may keep the layout of its flushed file, which the flush decides;
                // a new entry and asked-for chunks get a layout known now.
                if (chunks is not null || !_exists)
                {
                    _codec?.CheckLayout(Path, data.DType, [.. data.Shape], chunks);
                }

                Replace(data);
                RequestedChunks = chunks;
                return;
            }

            EnsureLoaded();
            if (!_exists)
            {
                throw new EntryNotFoundException($"Cannot write through view [{view}]: entry '{Path}' does not exist.", Path);
            }

            var resolved = ResolvedView.Resolve(view, _shape, Path);
            ViewCopy.CheckFits(resolved, _dtype, data, Path);
            if (FirstTouchedByte(resolved) < _persistedBytes)
            {
                PullFlushedIntoMemory();
            }

            ViewCopy.Scatter(new TailSink(this), resolved, _dtype, data, Path);
        }
    }

    /// <summary>A copy of the selected data, or null when the entry holds none.</summary>
    public NdArray? Read(ArrayView? view)
    {
        lock (Gate)
        {
            EnsureLoaded();
            if (!_exists)
            {
                return null;
            }

            var resolved = ResolvedView.Resolve(view, _shape, Path);
            return ViewCopy.Gather(this, resolved, _dtype, Path);
        }
    }

    /// <summary>
    /// Blocks of up to <paramref name="chunkSize"/> positions along axis 0 of the viewed array
    /// (only the listed <paramref name="elements"/> when given), each read when it is reached.
    /// </summary>
    public IEnumerable<NdArray> Iter(IReadOnlyList<long>? elements, ArrayView? view, int? chunkSize)
    {
        var plan = PlanIter(elements, view, chunkSize);
        if (plan is null)
        {
            yield break;
        }

        foreach (var rows in plan.Blocks())
        {
            NdArray block;
            lock (Gate)
            {
                if (_version != plan.Version)
                {
                    throw new StoreException($"Entry '{Path}' was replaced while it was being iterated.", Path);
                }

                block = ViewCopy.Gather(this, plan.Resolved.WithAxis0(rows), _dtype, Path);
            }

            yield return block;
        }
    }

    /// <summary>
    /// The views <see cref="Iter"/> would read, one per block: axis 0 narrowed to the block's rows of
    /// the entry as it is now, the other axes as <paramref name="view"/> selects them; null when the
    /// entry holds no data. The arguments are checked now; the views are computed from numbers fixed
    /// now, so enumerating them never touches the entry.
    /// </summary>
    /// <exception cref="ShapeException">The view drops axis 0, an element is out of bounds, or the chunk size is below 1.</exception>
    public IEnumerable<ArrayView>? IterViews(IReadOnlyList<long>? elements, ArrayView? view, int? chunkSize)
    {
        var plan = PlanIter(elements, view, chunkSize);
        if (plan is null)
        {
            return null;
        }

        var otherAxes = view is { Axes.Length: > 1 } ? view.Axes[1..] : [];
        return plan.Blocks().Select(rows => ArrayView.Of([RowsSelector(rows), .. otherAxes]));
    }

    // Consecutive rows as a slice, others as a list.
    private static AxisSelector RowsSelector(long[] rows) =>
        rows.Length > 0 && rows[^1] - rows[0] == rows.Length - 1 && rows.Zip(rows.Skip(1)).All(p => p.Second == p.First + 1)
            ? AxisSelector.Range(rows[0], rows[^1] + 1)
            : AxisSelector.Take(rows);

    // What an iteration reads, fixed against the entry as it is now (null: no data); every argument is checked here.
    private IterPlan? PlanIter(IReadOnlyList<long>? elements, ArrayView? view, int? chunkSize)
    {
        if (chunkSize < 1)
        {
            throw new ShapeException($"Iter over '{Path}' with chunk size {chunkSize}: expected at least 1.", Path);
        }

        ResolvedView resolved;
        long version;
        int blockRows;
        lock (Gate)
        {
            EnsureLoaded();
            if (!_exists)
            {
                return null;
            }

            resolved = ResolvedView.Resolve(view, _shape, Path);
            version = _version;
            blockRows = chunkSize ?? (_persistedBytes > 0 ? OpenSource().ChunkRows : null) ?? DefaultBlockRows;
        }

        if (resolved.Picks.Length == 0 || resolved.Picks[0].Drop)
        {
            throw new ShapeException($"Iter over '{Path}' needs a view that keeps axis 0.", Path);
        }

        var axis0 = resolved.Picks[0];
        var positions = elements?.ToArray();
        foreach (var position in positions ?? [])
        {
            if (position < 0 || position >= axis0.Count)
            {
                throw new ShapeException($"Iter element {position} is out of bounds for axis 0 of size {axis0.Count}.", Path);
            }
        }

        return new IterPlan(resolved, version, blockRows, axis0, positions);
    }

    /// <summary>An iteration's resolved view, the entry version it was resolved at, and its blocks of source rows.</summary>
    private sealed class IterPlan(ResolvedView resolved, long version, int blockRows, AxisPick axis0, long[]? positions)
    {
        public ResolvedView Resolved { get; } = resolved;

        public long Version { get; } = version;

        /// <summary>The source rows along axis 0 of each block, in order.</summary>
        public IEnumerable<long[]> Blocks()
        {
            var total = positions?.LongLength ?? axis0.Count;
            for (long first = 0; first < total; first += blockRows)
            {
                var count = Math.Min(blockRows, total - first);
                var rows = new long[count];
                for (long i = 0; i < count; i++)
                {
                    rows[i] = axis0.At(positions is null ? first + i : positions[first + i]);
                }

                yield return rows;
            }
        }
    }

    /// <inheritdoc />
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < _persistedBytes)
        {
            var n = (int)Math.Min(destination.Length, _persistedBytes - offset);
            OpenSource().Read(offset, destination[..n]);
            destination = destination[n..];
            offset += n;
        }

        if (!destination.IsEmpty)
        {
            _tail.Read(offset - _persistedBytes, destination);
        }
    }

    /// <summary>The flushed data as the codec reads it, opened on first use (caller holds the gate).</summary>
    public ArraySource OpenSource() =>
        _source ??= _codec?.Open(_root, Path)
            ?? throw new CorruptDataException($"The flushed data of '{Path}' is missing from the store root '{_root}'.", Path);

    /// <summary>Writes the whole entry, flushed part then buffer, to <paramref name="stream"/> (caller holds the gate).</summary>
    public void CopyAllTo(Stream stream)
    {
        if (_persistedBytes > 0)
        {
            var source = OpenSource();
            var block = new byte[(int)Math.Min(CopyBlockBytes, _persistedBytes)];
            for (long offset = 0; offset < _persistedBytes; offset += block.Length)
            {
                var piece = block.AsSpan(0, (int)Math.Min(block.Length, _persistedBytes - offset));
                source.Read(offset, piece);
                stream.Write(piece);
            }
        }

        CopyBufferTo(stream);
    }

    /// <summary>Writes the in-memory buffer (what came after the flushed part) to <paramref name="stream"/>.</summary>
    public void CopyBufferTo(Stream stream)
    {
        foreach (var segment in _tail.Segments())
        {
            stream.Write(segment.Span);
        }
    }

    /// <summary>Records that the disk now holds everything: frees the buffer and reopens the flushed data on next use.</summary>
    public void CompleteFlush()
    {
        lock (Gate)
        {
            _persistedBytes += _tail.Length;
            _tail.Clear();
            NeedsRewrite = false;
            CloseSource();
        }
    }

    /// <summary>Closes the flushed data so the next read reopens it (its file was replaced).</summary>
    public void CloseSource()
    {
        lock (Gate)
        {
            _source?.Dispose();
            _source = null;
        }
    }

    /// <summary>Bytes the files do not have yet: the buffered rows, or every byte when the file is stale as a whole.</summary>
    public long UnflushedBytes
    {
        get
        {
            lock (Gate)
            {
                return !_exists ? 0 : NeedsRewrite ? _persistedBytes + _tail.Length : _tail.Length;
            }
        }
    }

    /// <summary>Drops every change the files do not have and reads the entry from them again (none: the entry no longer exists).</summary>
    public void Discard()
    {
        lock (Gate)
        {
            _tail.Clear();
            CloseSource();
            NeedsRewrite = false;
            RequestedChunks = null;
            _persistedBytes = 0;
            _shape = [];
            _exists = true;
            _loaded = false;
            _version++;
            try
            {
                EnsureLoaded();
            }
            catch (CorruptDataException)
            {
                // Reported again, naming the file, when the entry is used.
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (Gate)
        {
            _tail.Clear();
            CloseSource();
        }
    }

    private void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }

        var source = _codec?.Open(_root, Path);
        if (source is null)
        {
            _exists = false;
        }
        else
        {
            _source = source;
            _dtype = source.DType;
            _shape = (long[])source.Shape.Clone();
            _persistedBytes = Shapes.ByteLength(_shape, _dtype, Path);
        }

        _loaded = true;
    }

    private void Replace(NdArray data)
    {
        CloseSource();
        _tail.Clear();
        _tail.Append(data.Bytes);
        _dtype = data.DType;
        _shape = data.Shape.ToArray();
        _persistedBytes = 0;
        _exists = true;
        _loaded = true;
        NeedsRewrite = true;
        _version++;
    }

    /// <summary>Moves the flushed part into the buffer so it can be overwritten; the file is then rewritten whole.</summary>
    private void PullFlushedIntoMemory()
    {
        var merged = new ChunkedBuffer(_pool);
        var block = new byte[(int)Math.Min(CopyBlockBytes, _persistedBytes)];
        var source = OpenSource();
        for (long offset = 0; offset < _persistedBytes; offset += block.Length)
        {
            var piece = block.AsSpan(0, (int)Math.Min(block.Length, _persistedBytes - offset));
            source.Read(offset, piece);
            merged.Append(piece);
        }

        foreach (var segment in _tail.Segments())
        {
            merged.Append(segment.Span);
        }

        _tail.Clear();
        _tail = merged;
        _persistedBytes = 0;
        NeedsRewrite = true;
        CloseSource();
    }

    private long FirstTouchedByte(ResolvedView view)
    {
        if (view.Picks.Length == 0)
        {
            return 0;
        }

        var axis0 = view.Picks[0];
        if (axis0.Count == 0)
        {
            return long.MaxValue;
        }

        var firstRow = axis0.List?.Min() ?? Math.Min(axis0.At(0), axis0.At(axis0.Count - 1));
        return firstRow * Shapes.RowBytes(_shape, _dtype, Path);
    }

    /// <summary>Writes into the buffer at entry offsets (the caller made sure they lie past the flushed part).</summary>
    private sealed class TailSink(ArrayEntry entry) : IByteSink
    {
        public void Write(long offset, ReadOnlySpan<byte> source) => entry._tail.Write(offset - entry._persistedBytes, source);
    }
}
