using Apache.Arrow;
using Store.Core.Formats;
using Store.Core.Tables.Filters;

namespace Store.Core.Tables;

/// <summary>
/// One table path's data: the rows already in the file (loaded on demand, dropped after each flush
/// so memory stays bounded) and the rows appended since, held as Arrow batches. Appends must match
/// the entry's columns and types (column order is normalised); writes through a view replace rows
/// and/or columns and make the file stale as a whole. Thread-safe through <see cref="Gate"/>.
/// </summary>
internal sealed class TableEntry
{
    private readonly TableCodec? _codec;
    private readonly string _root;
    private bool _loaded;
    private bool _exists;
    private Schema? _schema;
    private long? _storedRows; // counted when first needed: opening a table reads one footer, not all
    private Table? _flushed;
    private List<RecordBatch> _pending = [];
    private long _pendingRows;
    private bool _needsRewrite;

    private TableEntry(string path, TableCodec? codec, string root, bool onDisk)
    {
        Path = path;
        _codec = codec;
        _root = root;
        _loaded = !onDisk;
        _exists = onDisk;
    }

    /// <summary>The entry's path in its store.</summary>
    public string Path { get; }

    /// <summary>Serializes every access.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Whether the entry holds a table (written, appended, or found on disk).</summary>
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

    /// <summary>An entry with no table yet.</summary>
    public static TableEntry CreateNew(string path, TableCodec? codec, string root) => new(path, codec, root, onDisk: false);

    /// <summary>An entry found on disk; its schema is read on first use.</summary>
    public static TableEntry CreateDiscovered(string path, TableCodec codec, string root) => new(path, codec, root, onDisk: true);

    /// <summary>Appends rows with the entry's columns (in any order), creating the entry when it has none.</summary>
    /// <returns>The row indices the rows now occupy.</returns>
    /// <exception cref="SchemaException">A missing, extra or retyped column.</exception>
    public IndexRange Append(Table rows)
    {
        lock (Gate)
        {
            EnsureLoaded();
            if (!_exists)
            {
                Replace(rows);
                return new IndexRange(0, rows.RowCount);
            }

            var conformed = Conform(rows);
            var start = RowCount;
            _pending.AddRange(conformed);
            _pendingRows += rows.RowCount;
            return new IndexRange(start, rows.RowCount);
        }
    }

    /// <summary>Without a view, creates or replaces the table; with one, replaces those rows and/or columns.</summary>
    /// <exception cref="EntryNotFoundException">A view write to an entry with no table.</exception>
    /// <exception cref="SchemaException">The data's columns, types or row count do not fit the view.</exception>
    public void Write(Table data, TableView? view)
    {
        lock (Gate)
        {
            if (view is null)
            {
                Replace(data);
                return;
            }

            EnsureLoaded();
            if (!_exists)
            {
                throw new EntryNotFoundException($"Cannot write through a view: table '{Path}' does not exist.", Path);
            }

            var current = Current();
            CheckColumns(view);
            var (start, count) = view.Range(current.RowCount, Path);
            var replaced = view.Columns ?? current.ColumnNames;
            if (data.RowCount != count || !data.ColumnNames.Order(StringComparer.Ordinal).SequenceEqual(replaced.Order(StringComparer.Ordinal)))
            {
                throw new SchemaException(
                    $"Cannot write ({Table.Describe(data.Schema)}) × {data.RowCount} rows into '{Path}': the view covers columns ({string.Join(", ", replaced)}) × {count} rows.", Path);
            }

            var columns = new List<(string, IArrowArray)>();
            foreach (var field in current.Schema.FieldsList)
            {
                if (!replaced.Contains(field.Name))
                {
                    columns.Add((field.Name, current.Column(field.Name)));
                    continue;
                }

                var incoming = data.Schema.ColumnNamed(field.Name);
                if (!ArrowColumns.SameType(incoming.DataType, field.DataType))
                {
                    throw new SchemaException($"Column '{field.Name}' of '{Path}' is {ArrowColumns.Describe(field.DataType)}; the data's is {ArrowColumns.Describe(incoming.DataType)}.", Path);
                }

                var pieces = new[] { current.Slice(0, start), data, current.Slice(start + count, current.RowCount - start - count) };
                columns.Add((field.Name, ArrowColumns.Concat(pieces.Select(p => p.Column(field.Name)).ToList(), field.DataType)));
            }

            Replace(Table.FromColumns([.. columns]));
        }
    }

    /// <summary>The entry's columns, or null when there is no table.</summary>
    public Schema? Schema
    {
        get
        {
            lock (Gate)
            {
                EnsureLoaded();
                return _exists ? _schema : null;
            }
        }
    }

    /// <summary>The entry's row count (0 when there is no table).</summary>
    public long Rows
    {
        get
        {
            lock (Gate)
            {
                EnsureLoaded();
                return _exists ? RowCount : 0;
            }
        }
    }

    /// <summary>
    /// The selected rows and columns (everything without a view), or null when there is no table.
    /// Rows in a file whose format reads ranges (Parquet) are read from the file, only the row
    /// groups and columns the view covers, and not kept.
    /// </summary>
    /// <exception cref="ResultTooLargeException">The rows take more than <paramref name="maxResultBytes"/>; found before reading past it.</exception>
    public Table? Read(TableView? view, long maxResultBytes = long.MaxValue)
    {
        lock (Gate)
        {
            EnsureLoaded();
            if (!_exists)
            {
                return null;
            }

            CheckColumns(view);
            if (_codec is not { ReadsRanges: true } || _needsRewrite || _flushed is not null || StoredRows == 0)
            {
                var current = Current();
                if (view is null)
                {
                    new ResultBudget(Path, maxResultBytes).Add(current);
                    return current;
                }

                var (from, length) = view.Range(current.RowCount, Path);
                var rows = current.Slice(from, length);
                var selected = view.Columns is null ? rows : rows.Select(view.Columns);
                new ResultBudget(Path, maxResultBytes).Add(selected);
                return selected;
            }

            var (start, count) = view?.Range(RowCount, Path) ?? (0, RowCount);
            var columns = view?.Columns ?? [.. _schema!.FieldsList.Select(f => f.Name)];
            var schema = Table.Empty(_schema!).Select(columns).Schema;
            var fromFile = Math.Clamp(StoredRows - start, 0, count);
            var budget = new ResultBudget(Path, maxResultBytes);
            var batches = new List<RecordBatch>();
            if (fromFile > 0)
            {
                var stored = _codec.LoadRange(_root, Path, start, fromFile, columns, budget);
                batches.AddRange(Table.FromBatches(schema, stored.Batches).Batches);
            }

            if (count > fromFile)
            {
                var pending = Pending().Slice(Math.Max(0, start - StoredRows), count - fromFile).Select(columns);
                budget.Add(pending);
                batches.AddRange(pending.Batches);
            }

            return Table.OfCheckedBatches(schema, batches);
        }
    }

    /// <summary>
    /// The rows for which <paramref name="evaluate"/> (the evaluation of <paramref name="filter"/>)
    /// holds, or null when there is no table. Stored rows are scanned piece by piece (row groups,
    /// parts): a piece whose statistics rule the filter out is skipped unread, the filter's columns
    /// are decoded first and the others only for pieces with matches, and only matches are kept —
    /// so memory grows with the result and one piece, not with the table.
    /// </summary>
    /// <exception cref="FilterException">An unknown column or a literal of the wrong type, found before any file is read.</exception>
    /// <exception cref="CorruptDataException">A piece that had to be read cannot be; the message names its file.</exception>
    /// <exception cref="ResultTooLargeException">The matches take more than <paramref name="maxResultBytes"/>; found before scanning further.</exception>
    public Table? Query(FilterExpression filter, Func<Table, bool[]> evaluate, long maxResultBytes = long.MaxValue)
    {
        lock (Gate)
        {
            EnsureLoaded();
            if (!_exists)
            {
                return null;
            }

            evaluate(Table.Empty(_schema!));
            var budget = new ResultBudget(Path, maxResultBytes);
            if (_codec is null || _needsRewrite || _flushed is not null)
            {
                var current = Current();
                var matches = current.Where(evaluate(current));
                budget.Add(matches);
                return matches;
            }

            var tested = FilterColumns(filter).Distinct().OrderBy(name => _schema!.IndexOfColumn(name)).ToList();
            var others = _schema!.FieldsList.Select(f => f.Name).Except(tested).ToList();
            var batches = new List<RecordBatch>();
            foreach (var chunk in _codec.Scan(_root, Path, _schema))
            {
                if (!FilterPruning.MayMatch(filter, chunk.Range))
                {
                    continue;
                }

                // The filter's columns are read into rented arrays, which the matching rows are copied out of.
                using var borrowed = new RentedBuffers();
                var values = chunk.Read(tested, borrowed);
                var mask = evaluate(values);
                if (System.Array.IndexOf(mask, true) < 0)
                {
                    continue;
                }

                // The others are read for the matching rows only.
                var kept = values.Where(mask, copy: true);
                var rest = others.Count == 0 ? null : chunk.ReadWhere(others, mask);
                var columns = _schema.FieldsList.Select(f => (rest is not null && rest.Schema.IndexOfColumn(f.Name) >= 0 ? rest : kept).Column(f.Name)).ToArray();
                batches.Add(new RecordBatch(_schema, columns, checked((int)kept.RowCount)));
                budget.Add(batches[^1]);
            }

            if (_pendingRows > 0)
            {
                var pending = Pending();
                var matches = pending.Where(evaluate(pending));
                budget.Add(matches);
                batches.AddRange(matches.Batches);
            }

            return batches.Count <= 1 ? Table.OfCheckedBatches(_schema, batches) : Merged(_schema, batches);
        }
    }

    // Matches from many pieces (a text file's blocks, row groups) as one batch, so callers get one array per column.
    private static Table Merged(Schema schema, List<RecordBatch> batches)
    {
        var columns = schema.FieldsList.Select((field, c) => ArrowColumns.Concat(batches.Select(b => b.Column(c)).ToList(), field.DataType)).ToArray();
        return Table.OfCheckedBatches(schema, [new RecordBatch(schema, columns, batches.Sum(b => b.Length))]);
    }

    // The columns a filter reads; iterative, since a long chain of 'and's nests as deep as it is long.
    private static List<string> FilterColumns(FilterExpression filter)
    {
        var columns = new List<string>();
        var todo = new Stack<FilterExpression>([filter]);
        while (todo.TryPop(out var next))
        {
            switch (next)
            {
                case FilterExpression.Comparison c: columns.Add(c.Column); break;
                case FilterExpression.In i: columns.Add(i.Column); break;
                case FilterExpression.And a: todo.Push(a.Right); todo.Push(a.Left); break;
                case FilterExpression.Or o: todo.Push(o.Right); todo.Push(o.Left); break;
                case FilterExpression.Not n: todo.Push(n.Inner); break;
            }
        }

        return columns;
    }

    /// <summary>
    /// Rewrites the stored rows as one part (<see cref="TableCodec.Compact"/>); rows not flushed yet
    /// stay buffered for the next flush, and a table whose files are stale as a whole is left to it.
    /// The table's rows do not change, so nothing is journaled. Returns whether anything was rewritten.
    /// </summary>
    public bool Compact()
    {
        lock (Gate)
        {
            EnsureLoaded();
            return _exists && !_needsRewrite && _codec is not null && _codec.Compact(_root, Path);
        }
    }

    /// <summary>Writes what the file lacks: the new rows when the format can add them, else the whole table.</summary>
    public void Flush()
    {
        lock (Gate)
        {
            if (_codec is null || !_exists || (!_needsRewrite && _pendingRows == 0))
            {
                return;
            }

            if (_needsRewrite || _storedRows == 0)
            {
                _codec.Write(_root, Path, Current());
            }
            else
            {
                _codec.AppendRows(_root, Path, Pending());
            }

            _storedRows = _needsRewrite ? _pendingRows : _storedRows + _pendingRows;
            _pending = [];
            _pendingRows = 0;
            _flushed = null;
            _needsRewrite = false;
        }
    }

    /// <summary>Bytes of rows the file does not have yet (all of them when the file is stale as a whole).</summary>
    public long UnflushedBytes
    {
        get
        {
            lock (Gate)
            {
                return _codec is null || !_exists ? 0 : Table.BytesOf(_pending);
            }
        }
    }

    /// <summary>Drops every change the file does not have and reads the table from it again (none: the table no longer exists).</summary>
    public void Discard()
    {
        lock (Gate)
        {
            _schema = null;
            _storedRows = 0;
            _flushed = null;
            _pending = [];
            _pendingRows = 0;
            _needsRewrite = false;
            _exists = true;
            _loaded = _codec is null;
            try
            {
                EnsureLoaded();
            }
            catch (CorruptDataException)
            {
                // Reported again, naming the file, when the table is used.
            }
        }
    }

    private long RowCount => (_needsRewrite ? 0 : StoredRows) + _pendingRows;

    private long StoredRows => _storedRows ??= _codec?.CountRows(_root, Path) ?? 0;

    /// <summary>The rows not in the file yet (a snapshot: later appends do not change it).</summary>
    private Table Pending() => Table.OfCheckedBatches(_schema!, _pending.ToArray());

    private Table Current()
    {
        if (_needsRewrite)
        {
            return Pending();
        }

        var flushed = _flushed ??= StoredRows > 0 ? Table.OfCheckedBatches(_schema!, Conform(_codec!.Load(_root, Path))) : Table.Empty(_schema!);
        return _pendingRows == 0 ? flushed : flushed.Concat(Pending());
    }

    private void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }

        if (_codec?.InspectSchema(_root, Path) is { } stored)
        {
            _schema = stored;
            _storedRows = null;
        }
        else
        {
            _exists = false;
        }

        _loaded = true;
    }

    // A view's columns must be the table's: one it lacks is named (with the nearest it has) before anything is read or changed.
    private void CheckColumns(TableView? view)
    {
        foreach (var column in view?.Columns ?? [])
        {
            if (_schema!.IndexOfColumn(column) < 0)
            {
                throw Table.NoColumn(column, _schema!, Path);
            }
        }
    }

    private void Replace(Table data)
    {
        _codec?.CheckColumns(data.Schema, Path);
        _schema = data.Schema;
        _pending = [.. data.Batches];
        _pendingRows = data.RowCount;
        _flushed = null;
        _storedRows = 0;
        _needsRewrite = true;
        _exists = true;
        _loaded = true;
    }

    /// <summary>The rows' batches in the entry's column order, or an error naming every missing, extra or retyped column.</summary>
    private List<RecordBatch> Conform(Table rows)
    {
        var problems = new List<string>();
        foreach (var field in _schema!.FieldsList)
        {
            var index = rows.Schema.IndexOfColumn(field.Name);
            if (index < 0)
            {
                problems.Add($"missing column '{field.Name}' ({ArrowColumns.Describe(field.DataType)})");
            }
            else if (!ArrowColumns.SameType(rows.Schema.GetFieldByIndex(index).DataType, field.DataType))
            {
                problems.Add($"column '{field.Name}' is {ArrowColumns.Describe(rows.Schema.GetFieldByIndex(index).DataType)}, expected {ArrowColumns.Describe(field.DataType)}");
            }
        }

        // An extra column that is a misspelling of a missing one says so.
        var missing = _schema.FieldsList.Where(f => rows.Schema.IndexOfColumn(f.Name) < 0).Select(f => f.Name).ToList();
        problems.AddRange(rows.Schema.FieldsList.Where(f => _schema.IndexOfColumn(f.Name) < 0).Select(f => $"extra column '{f.Name}'{NearestName.Hint(f.Name, missing)}"));
        if (problems.Count > 0)
        {
            throw new SchemaException($"Rows do not fit table '{Path}' ({Table.Describe(_schema)}): {string.Join("; ", problems)}.", Path);
        }

        var order = _schema.FieldsList.Select(f => rows.Schema.IndexOfColumn(f.Name)).ToArray();
        return rows.Batches.Select(b => new RecordBatch(_schema, order.Select(b.Column), b.Length)).ToList();
    }
}
