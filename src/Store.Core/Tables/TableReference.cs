using Apache.Arrow;

namespace Store.Core.Tables;

/// <summary>
/// What <see cref="TableStore.Get"/> returns: a live handle on one table that reads only what it is
/// asked for and sees every change made to the table so far. Rows flushed to Parquet stay on disk
/// until read, and then only the row groups and columns a read covers are decoded.
/// </summary>
public sealed class TableReference
{
    private readonly TableEntry _entry;
    private readonly long _maxResultBytes;

    internal TableReference(TableEntry entry, long maxResultBytes)
    {
        _entry = entry;
        _maxResultBytes = maxResultBytes;
    }

    /// <summary>The table's path.</summary>
    public string Path => _entry.Path;

    /// <summary>The table's column names and types.</summary>
    public Schema Schema => _entry.Schema ?? throw Missing();

    /// <summary>The table's column names, in order.</summary>
    public IReadOnlyList<string> ColumnNames => [.. Schema.FieldsList.Select(f => f.Name)];

    /// <summary>The table's current row count.</summary>
    public long RowCount => _entry.Rows;

    /// <summary>The selected rows and columns (everything when <paramref name="view"/> is null).</summary>
    /// <exception cref="SchemaException">Rows outside the table or an unknown column.</exception>
    /// <exception cref="ResultTooLargeException">The rows take more than the store's <see cref="TableStore.MaxResultBytes"/>.</exception>
    public Table Read(TableView? view = null) => _entry.Read(view, _maxResultBytes) ?? throw Missing();

    /// <summary>One column's values as a single Arrow array.</summary>
    /// <exception cref="SchemaException">No such column.</exception>
    public IArrowArray Column(string name) => Read(TableView.Select(name)).Column(name);

    private EntryNotFoundException Missing() => new($"Table '{Path}' no longer exists.", Path);
}
