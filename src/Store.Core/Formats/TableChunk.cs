using Store.Core.Tables;

namespace Store.Core.Formats;

/// <summary>
/// A piece of a stored table that a scan reads on its own (a Parquet row group, an Arrow IPC part,
/// a block of CSV lines): its statistics come first, so a query can skip it unread, and then only
/// the columns asked for are decoded.
/// </summary>
internal abstract class TableChunk
{
    /// <summary>The smallest and largest value of <paramref name="column"/> and its null count, as the file records them; null when it records none.</summary>
    public virtual ColumnRange? Range(string column) => null;

    /// <summary>
    /// The chunk's rows, only the named columns (in that order). With <paramref name="borrowed"/>,
    /// the columns may live in arrays rented there: valid only until it is disposed, so the caller
    /// copies what it keeps (a query does, for the rows that match).
    /// </summary>
    /// <exception cref="CorruptDataException">The chunk cannot be read; the message names the file.</exception>
    public abstract Table Read(IReadOnlyList<string> columns, RentedBuffers? borrowed = null);

    /// <summary>
    /// The rows <paramref name="mask"/> selects (one flag per row of the chunk), only the named
    /// columns: what a query needs of the columns its filter did not read. Pieces that decode column
    /// by column override it to build only the selected rows.
    /// </summary>
    /// <exception cref="CorruptDataException">The chunk cannot be read; the message names the file.</exception>
    public virtual Table ReadWhere(IReadOnlyList<string> columns, bool[] mask) => Read(columns).Where(mask);
}

/// <summary>
/// What a file's statistics say about one column of a chunk: bounds of its non-null values (a
/// long, a double or a string; null when unknown) and how many rows are null (null when unknown).
/// </summary>
internal sealed record ColumnRange(object? Min, object? Max, long? NullCount, long Rows);

/// <summary>A chunk already in memory (a whole file a format cannot read in pieces).</summary>
internal sealed class LoadedChunk(Table table) : TableChunk
{
    /// <inheritdoc />
    public override Table Read(IReadOnlyList<string> columns, RentedBuffers? borrowed = null) => table.Select(columns);
}
