using System.Collections.Concurrent;
using Apache.Arrow;
using Store.Core.Formats;
using Store.Core.Storage;
using Store.Core.Tables.Filters;

namespace Store.Core.Tables;

/// <summary>
/// Tables by path, in memory (<see cref="DiskFormat.None"/>) or flushed as Parquet, Arrow IPC, CSV or
/// JSON lines files (<c>&lt;root&gt;/&lt;path&gt;.parquet</c>, <c>.arrow</c>, <c>.csv</c>, <c>.jsonl</c>).
/// Appends add Arrow batches without copying and create missing tables; a flush writes only tables
/// that changed, and only the new rows where the format can grow (a Parquet row group, CSV/JSON
/// lines). Safe to call from many threads.
/// </summary>
public sealed class TableStore : DataStore<Table, TableView, TableReference>
{
    private readonly TableCodec? _codec;
    private readonly ConcurrentDictionary<string, TableEntry> _entries = new(StringComparer.Ordinal);
    private readonly long _maxResultBytes = long.MaxValue;

    /// <summary>Opens a table store; <paramref name="mode"/> is a seed token (<c>r</c>, <c>r+</c>, <c>a</c>, <c>w</c>, <c>w-</c>).</summary>
    /// <param name="path">The root folder; empty for <see cref="DiskFormat.None"/>.</param>
    /// <param name="mode">The seed's mode token.</param>
    /// <param name="diskFormat">The format; null (the default) for what the root holds, Parquet for a new root.</param>
    public TableStore(string path, string mode, DiskFormat? diskFormat = null)
        : this(path, StoreModes.Parse(mode), diskFormat)
    {
    }

    /// <summary>Opens a table store.</summary>
    /// <param name="path">The root folder; empty for <see cref="DiskFormat.None"/>.</param>
    /// <param name="mode">How to open the root; see <see cref="StoreMode"/>.</param>
    /// <param name="diskFormat">
    /// <see cref="DiskFormat.None"/> (memory only), <see cref="DiskFormat.Parquet"/>, <see cref="DiskFormat.Ipc"/>,
    /// <see cref="DiskFormat.Csv"/> or <see cref="DiskFormat.Json"/>; null for the format the root's
    /// manifest records or its files show (a new root: Parquet). A format the root contradicts is refused.
    /// </param>
    /// <param name="clusterId">For a node of a cluster store, its id (see <see cref="DataStore.ClusterId"/>); null for a single-machine store.</param>
    /// <exception cref="StoreModeException">The root does not satisfy the mode, or holds another format or arrays.</exception>
    /// <exception cref="StoreLockedException">Another store has the root open for writing.</exception>
    public TableStore(string path, StoreMode mode, DiskFormat? diskFormat, string? clusterId = null)
        : base(path, mode, TableCodec.Check(diskFormat), StoreKind.Table, clusterId)
    {
        try
        {
            _codec = TableCodec.Create(DiskFormat);
            if (_codec is null)
            {
                return;
            }

            if (mode == StoreMode.Write)
            {
                ClearRoot(PreviousFormat);
            }
            else if (mode.CanWrite())
            {
                _codec.Recover(Path);
            }

            foreach (var entryPath in _codec.Discover(Path))
            {
                _entries[entryPath] = TableEntry.CreateDiscovered(entryPath, _codec, Path);
            }

            Opened(null);
        }
        catch
        {
            AbandonOpen();
            throw;
        }
    }

    /// <summary>A writable store that lives in memory only.</summary>
    public static TableStore InMemory() => new("", StoreMode.Append, DiskFormat.None);

    /// <inheritdoc />
    /// <exception cref="SchemaException">The data does not fit the view's rows and columns.</exception>
    public override void Write(string path, Table data, TableView? view = null)
    {
        EnsureWritable("write", path);
        var entry = view is null ? EntryFor(path) : Existing(path)
            ?? throw new EntryNotFoundException($"Cannot write through a view: table '{path}' does not exist.", path);
        entry.Write(data, view);
    }

    /// <inheritdoc />
    /// <exception cref="SchemaException">A missing, extra or retyped column (named in the message).</exception>
    public override IndexRange Append(string path, Table data)
    {
        EnsureWritable("append to", path);
        return EntryFor(path).Append(data);
    }

    /// <inheritdoc />
    /// <exception cref="StoreException">Some tables could not be flushed; every other table was.</exception>
    public override void Flush()
    {
        EnsureWritable("flush");
        var failures = new FlushFailures();
        var entries = _entries.Values.ToList();
        foreach (var entry in entries)
        {
            failures.Run(entry.Path, entry.Flush);
        }

        failures.ThrowIfAny(entries.Count);
    }

    /// <inheritdoc />
    public override void Flush(string path)
    {
        EnsureWritable("flush", path);
        if (_entries.TryGetValue(path, out var entry))
        {
            var failures = new FlushFailures();
            failures.Run(path, entry.Flush);
            failures.ThrowIfAny(1);
        }
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
            _entries.TryRemove(path, out _);

            return;
        }

        entry.Discard();
    }

    /// <inheritdoc />
    public override void Reload(string path)
    {
        EnsureOpen();
        var valid = Validated(path);
        if (_codec is null)
        {
            _entries.TryRemove(valid, out _);
        }
        else
        {
            _entries[valid] = TableEntry.CreateDiscovered(valid, _codec, Path);
        }
    }

    /// <inheritdoc />
    public override void DiscoverNew()
    {
        EnsureOpen();
        foreach (var entryPath in _codec?.Discover(Path) ?? [])
        {
            _entries.TryAdd(entryPath, TableEntry.CreateDiscovered(entryPath, _codec!, Path));
        }
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
    /// The most one <see cref="Read"/>, <see cref="Query"/> or <see cref="ReadColumn"/> may return, in
    /// bytes of Arrow buffers (8 per number, the UTF-8 bytes plus 4 per string). A larger result is
    /// refused with <see cref="ResultTooLargeException"/> as soon as the rows read pass it, so a
    /// read never takes more memory than this plus one piece of the table (a Parquet part or row
    /// group, 64 KiB of CSV). <b>Default</b>: no limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public long MaxResultBytes
    {
        get => _maxResultBytes;
        init => _maxResultBytes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxResultBytes), value, "MaxResultBytes must be at least 1.");
    }

    /// <summary>A live handle on the table that reads only what is asked of it (see <see cref="TableReference"/>), or null.</summary>
    public override TableReference? Get(string path) => Existing(path) is { } entry ? new TableReference(entry, MaxResultBytes) : null;

    /// <inheritdoc />
    /// <exception cref="SchemaException">Rows outside the table or an unknown column.</exception>
    /// <exception cref="ResultTooLargeException">The rows take more than <see cref="MaxResultBytes"/>.</exception>
    public override Table? Read(string path, TableView? view = null) => Existing(path)?.Read(view, MaxResultBytes);

    /// <summary>One column of the table as a single Arrow array, or null when there is no table.</summary>
    /// <exception cref="SchemaException">No such column.</exception>
    public IArrowArray? ReadColumn(string path, string column) => Existing(path)?.Read(TableView.Select(column))?.Column(column);

    /// <summary>
    /// The rows whose <c>ens_id</c>, <c>run_id</c> and <c>micro_id</c> equal the given keys (when
    /// given) and that satisfy <paramref name="filter"/> (see <see cref="FilterParser"/>), or null
    /// when there is no table.
    /// </summary>
    /// <exception cref="SchemaException">A key is given that the table has no column for (or one of another type); the key column is named.</exception>
    /// <exception cref="FilterException">A malformed filter, an unknown column or a type mismatch; the message quotes the filter and the position.</exception>
    /// <exception cref="ResultTooLargeException">The matches take more than <see cref="MaxResultBytes"/>.</exception>
    public Table? Query(string path, string? ensId = null, string? runId = null, long? microId = null, string? filter = null)
    {
        var entry = Existing(path);
        if (entry?.Schema is not { } schema)
        {
            return null;
        }

        CheckKey(path, schema, "ens_id", "ensId", ensId is null ? null : $"'{ensId}'", numeric: false);
        CheckKey(path, schema, "run_id", "runId", runId is null ? null : $"'{runId}'", numeric: false);
        CheckKey(path, schema, "micro_id", "microId", microId?.ToString(System.Globalization.CultureInfo.InvariantCulture), numeric: true);
        var conditions = new List<FilterExpression>();
        if (ensId is not null)
        {
            conditions.Add(new FilterExpression.Comparison("ens_id", "==", new FilterLiteral(null, ensId, null, 0), 0));
        }

        if (runId is not null)
        {
            conditions.Add(new FilterExpression.Comparison("run_id", "==", new FilterLiteral(null, runId, null, 0), 0));
        }

        if (microId is { } micro)
        {
            conditions.Add(new FilterExpression.Comparison("micro_id", "==", new FilterLiteral(micro, null, null, 0), 0));
        }

        if (filter is not null)
        {
            conditions.Add(FilterParser.Parse(filter));
        }

        if (conditions.Count == 0)
        {
            return entry.Read(null, MaxResultBytes);
        }

        var condition = conditions.Aggregate((a, b) => new FilterExpression.And(a, b));
        return entry.Query(condition, rows => FilterEvaluator.Evaluate(condition, rows, path, filter), MaxResultBytes);
    }

    /// <summary>
    /// Rewrites the stored rows of a Parquet or Arrow IPC table as one part file: a table of many
    /// small parts (one per flush) reads faster afterwards, and a single file another tool wrote
    /// becomes a folder, so later flushes add parts instead of rewriting it. Rows not flushed yet
    /// stay buffered and become a part of their own at the next flush. Readers see the old table or
    /// the new one (the folder is swapped whole); a reader in another process that listed the old
    /// parts before the swap must list them again. The stored rows are read into memory to be
    /// rewritten. A no-op for CSV, JSON lines, memory-only stores and tables already in one part.
    /// </summary>
    /// <returns>Whether the table was rewritten.</returns>
    /// <exception cref="EntryNotFoundException">No such table.</exception>
    /// <exception cref="StoreModeException">The store is read-only.</exception>
    public bool Compact(string path)
    {
        EnsureWritable("compact", path);
        var entry = Existing(path) ?? throw new EntryNotFoundException($"Cannot compact '{path}': no such table in {Path}.", path);
        return entry.Compact();
    }

    // A key argument needs its column, of a type it can equal: a string column for ensId and runId, a numeric one for microId.
    private static void CheckKey(string path, Schema schema, string column, string argument, string? value, bool numeric)
    {
        if (value is null)
        {
            return;
        }

        var index = schema.IndexOfColumn(column);
        if (index < 0)
        {
            throw new SchemaException(
                $"Cannot query '{path}' by {argument} {value}: the table has no key column '{column}'{NearestName.Hint(column, schema.FieldsList.Select(f => f.Name))}; " +
                $"it has ({Table.Describe(schema)}). Query without {argument}, or filter on the column that holds it.",
                path);
        }

        var type = schema.GetFieldByIndex(index).DataType;
        if (numeric ? !ArrowColumns.IsNumeric(type) : type is not Apache.Arrow.Types.StringType)
        {
            throw new SchemaException(
                $"Cannot query '{path}' by {argument} {value}: key column '{column}' is {ArrowColumns.Describe(type)}; expected {(numeric ? "a number" : "string")} column.",
                path);
        }
    }

    /// <inheritdoc />
    protected override void Release() => _entries.Clear();

    // Only valid paths are ever added, so a hit needs no validation (nor file-system calls).
    private TableEntry EntryFor(string path) =>
        _entries.TryGetValue(path, out var entry)
            ? entry
            : _entries.GetOrAdd(Validated(path), p => TableEntry.CreateNew(p, _codec, Path));

    private string Validated(string path)
    {
        ValidatePath(path);
        return path;
    }

    private TableEntry? Existing(string path)
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
