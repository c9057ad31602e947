namespace Store.Core.Tables;

/// <summary>
/// A selection of a table: a row range <c>[Start, Stop)</c> and/or named columns. Reads return
/// those rows and columns; writes replace them.
/// </summary>
/// <param name="Start">First row, or null for row 0.</param>
/// <param name="Stop">Row to stop before, or null for the end.</param>
/// <param name="Columns">Columns in the order wanted, or null for all.</param>
public sealed record TableView(long? Start = null, long? Stop = null, IReadOnlyList<string>? Columns = null)
{
    /// <summary>Rows <c>[start, stop)</c>, every column.</summary>
    public static TableView Rows(long start, long stop) => new(start, stop);

    /// <summary>The named columns, every row.</summary>
    public static TableView Select(params string[] columns) => new(Columns: columns);

    /// <summary>The rows this view covers in a table of <paramref name="rowCount"/> rows.</summary>
    /// <exception cref="SchemaException">A range outside the table or reversed.</exception>
    internal (long Start, long Count) Range(long rowCount, string? path)
    {
        var start = Start ?? 0;
        var stop = Stop ?? rowCount;
        if (start < 0 || stop > rowCount || stop < start)
        {
            throw new SchemaException($"Rows [{start}, {stop}) lie outside table '{path}' of {rowCount} rows.", path);
        }

        return (start, stop - start);
    }
}
