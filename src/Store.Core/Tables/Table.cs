using Apache.Arrow;
using Apache.Arrow.Types;

namespace Store.Core.Tables;

/// <summary>
/// An immutable table: an Arrow schema and a list of record batches (the columnar layout polars
/// and DuckDB speak). Appending adds batches without copying; row and column slices share the
/// batches' buffers. Every column is nullable.
/// </summary>
public sealed class Table
{
    private Table(Schema schema, IReadOnlyList<RecordBatch> batches)
    {
        Schema = schema;
        Batches = batches;
        RowCount = batches.Sum(b => (long)b.Length);
    }

    /// <summary>Column names and types.</summary>
    public Schema Schema { get; }

    /// <summary>The record batches, in row order.</summary>
    public IReadOnlyList<RecordBatch> Batches { get; }

    /// <summary>Number of rows.</summary>
    public long RowCount { get; }

    /// <summary>The bytes the table's Arrow buffers take (what it costs in memory, for buffer limits).</summary>
    public long BufferBytes => BytesOf(Batches);

    /// <summary>The bytes the Arrow buffers of <paramref name="batches"/> take. Plain loops: it runs for every append.</summary>
    internal static long BytesOf(IReadOnlyList<RecordBatch> batches)
    {
        long bytes = 0;
        for (var b = 0; b < batches.Count; b++)
        {
            foreach (var array in batches[b].Arrays)
            {
                foreach (var buffer in array.Data.Buffers)
                {
                    bytes += buffer.Length;
                }
            }
        }

        return bytes;
    }

    /// <summary>Column names in order.</summary>
    public IReadOnlyList<string> ColumnNames => Schema.FieldsList.Select(f => f.Name).ToList();

    /// <summary>A table from named columns of equal length (see <see cref="TableColumn"/> to build them).</summary>
    /// <exception cref="SchemaException">No columns, a duplicate or empty name, an unsupported type, or ragged columns.</exception>
    public static Table FromColumns(params (string Name, IArrowArray Values)[] columns)
    {
        if (columns.Length == 0)
        {
            throw new SchemaException("A table needs at least one column.");
        }

        var lengths = columns.Select(c => c.Values.Length).Distinct().ToList();
        if (lengths.Count > 1)
        {
            throw new SchemaException(
                "Ragged columns: " + string.Join(", ", columns.Select(c => $"'{c.Name}' has {c.Values.Length} rows")) + "; every column needs the same number of rows.");
        }

        var schema = BuildSchema(columns.Select(c => (c.Name, c.Values.Data.DataType)));
        return new Table(schema, [new RecordBatch(schema, columns.Select(c => c.Values), lengths[0])]);
    }

    /// <summary>A table over existing record batches (each must have <paramref name="schema"/>'s columns and types, in order).</summary>
    public static Table FromBatches(Schema schema, IEnumerable<RecordBatch> batches)
    {
        var normalized = BuildSchema(schema.FieldsList.Select(f => (f.Name, f.DataType)));
        var list = new List<RecordBatch>();
        foreach (var batch in batches)
        {
            if (batch.ColumnCount != normalized.FieldsList.Count
                || !batch.Schema.FieldsList.Zip(normalized.FieldsList).All(p => p.First.Name == p.Second.Name && ArrowColumns.SameType(p.First.DataType, p.Second.DataType)))
            {
                throw new SchemaException($"A record batch with columns ({Describe(batch.Schema)}) does not match the table's ({Describe(normalized)}).");
            }

            list.Add(batch.Schema.FieldsList.All(f => f.IsNullable) ? batch : new RecordBatch(normalized, batch.Arrays, batch.Length));
        }

        return new Table(normalized, list);
    }

    /// <summary>Whether <paramref name="other"/> has this table's columns: the same names and types, in the same order.</summary>
    public bool HasSameColumns(Table other) =>
        Schema.FieldsList.Count == other.Schema.FieldsList.Count
        && Schema.FieldsList.Zip(other.Schema.FieldsList).All(p => p.First.Name == p.Second.Name && ArrowColumns.SameType(p.First.DataType, p.Second.DataType));

    /// <summary>A table with no rows.</summary>
    public static Table Empty(Schema schema) => FromBatches(schema, []);

    /// <summary>One column's values as a single Arrow array (copied only when the table has several batches).</summary>
    /// <exception cref="SchemaException">No such column.</exception>
    public IArrowArray Column(string name)
    {
        var index = IndexOf(name);
        return ArrowColumns.Concat(Batches.Select(b => b.Column(index)).ToList(), Schema.GetFieldByIndex(index).DataType);
    }

    /// <summary>A string column's values (nulls as null).</summary>
    public string?[] Strings(string name) => Column(name) is StringArray strings
        ? Enumerable.Range(0, strings.Length).Select(i => strings.GetString(i)).ToArray()
        : throw new SchemaException($"Column '{name}' is {ArrowColumns.Describe(Schema.ColumnNamed(name).DataType)}, not string.");

    /// <summary>
    /// A column's values as <typeparamref name="T"/>? (nulls as null): the column's own numeric type or
    /// bool; DateOnly for dates and TimeOnly for times of day (or the column's own int/long: days or
    /// milliseconds since the epoch, time since midnight in its unit). Timestamps read as <c>long</c> give
    /// the stored counts of the column's unit since 1970 (every digit), and as <see cref="DateTime"/> a view
    /// for convenience: of any unit, nanoseconds below DateTime's 100 ns tick going to the earlier tick;
    /// <see cref="DateTimeKind.Utc"/> for a zoned column, and for a column without a zone the wall-clock
    /// value as it was written, <see cref="DateTimeKind.Unspecified"/>, never shifted by the machine's time zone.
    /// </summary>
    /// <exception cref="SchemaException">The column has another type, or a timestamp lies outside DateTime's years 1 to 9999.</exception>
    public T?[] Values<T>(string name) where T : struct, IEquatable<T>
    {
        var column = Column(name);
        var values = new T?[column.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = column.IsNull(i) ? null : column switch
            {
                BooleanArray b when typeof(T) == typeof(bool) => (T)(object)b.GetValue(i)!.Value,
                TimestampArray t when typeof(T) == typeof(DateTime) => (T)(object)AsDateTime(name, t, i),
                Date32Array d when typeof(T) == typeof(DateOnly) => (T)(object)d.GetDateOnly(i)!.Value,
                Date64Array d when typeof(T) == typeof(DateOnly) => (T)(object)d.GetDateOnly(i)!.Value,
                Time32Array t when typeof(T) == typeof(TimeOnly) => (T)(object)t.GetTime(i)!.Value,
                Time64Array t when typeof(T) == typeof(TimeOnly) => (T)(object)t.GetTime(i)!.Value,
                PrimitiveArray<T> p => p.Values[i],
                _ => throw new SchemaException($"Column '{name}' is {ArrowColumns.Describe(column.Data.DataType)}, not {typeof(T).Name}."),
            };
        }

        return values;
    }

    private static DateTime AsDateTime(string name, TimestampArray column, int row)
    {
        var type = (TimestampType)column.Data.DataType;
        var value = column.Values[row];
        return Timestamps.TryToDateTime(value, type, out var time)
            ? time
            : throw new SchemaException(
                $"Column '{name}' row {row} holds {Timestamps.Format(value, type)} ({ArrowColumns.Describe(type)} {value}), outside DateTime's years 1 to 9999; read it with Values<long>.");
    }

    /// <summary>
    /// The table as one batch whose arrays hold exactly its rows: a table of many small batches (one
    /// per append) or of slices of larger ones (what <see cref="Slice"/> and views give) is copied; a
    /// single tight batch is kept as it is. For serializers: Arrow's IPC writer costs a message header
    /// per batch and writes a slice's whole buffers, rows outside it included.
    /// </summary>
    public Table Compacted()
    {
        if (Batches.Count == 1 && Batches[0].Arrays.All(Tight))
        {
            return this;
        }

        var columns = Schema.FieldsList.Select((field, c) => ArrowColumns.Concat(
            [.. Batches.Select(b => b.Column(c)).Select(a => Tight(a) ? a : ArrowColumns.Take([(a, Enumerable.Range(0, a.Length).ToArray())], field.DataType))],
            field.DataType)).ToArray();
        return new Table(Schema, [new RecordBatch(Schema, columns, checked((int)RowCount))]);

        // Its buffers hold little more than its own rows (padding and a validity bitmap aside).
        static bool Tight(IArrowArray array) =>
            array.Offset == 0 && array.Data.Buffers.Sum(b => (long)b.Length) <= (2 * ArrowColumns.BytesOf(array)) + 1024;
    }

    /// <summary>Rows <c>[start, start + count)</c>, sharing this table's buffers.</summary>
    /// <exception cref="SchemaException">The range lies outside the table.</exception>
    public Table Slice(long start, long count)
    {
        // Compared without computing start + count, which can overflow.
        if (start < 0 || count < 0 || start > RowCount || count > RowCount - start)
        {
            throw new SchemaException($"Rows [{start}, {(Int128)start + count}) lie outside a table of {RowCount} rows.");
        }

        var slices = new List<RecordBatch>();
        long offset = 0;
        foreach (var batch in Batches)
        {
            var from = Math.Max(start, offset);
            var to = Math.Min(start + count, offset + batch.Length);
            if (to > from)
            {
                slices.Add(from == offset && to == offset + batch.Length ? batch : batch.Slice((int)(from - offset), (int)(to - from)));
            }

            offset += batch.Length;
        }

        return new Table(Schema, slices);
    }

    /// <summary>The named columns, in the order given, sharing this table's buffers.</summary>
    /// <exception cref="SchemaException">A name that is not a column.</exception>
    public Table Select(IReadOnlyList<string> columns)
    {
        var indices = columns.Select(IndexOf).ToArray();
        var schema = new Schema(indices.Select(i => Schema.GetFieldByIndex(i)), null);
        return new Table(schema, Batches.Select(b => new RecordBatch(schema, indices.Select(b.Column), b.Length)).ToList());
    }

    /// <summary>This table's rows followed by <paramref name="other"/>'s (same columns in the same order); no copy.</summary>
    internal Table Concat(Table other) => new(Schema, [.. Batches, .. other.Batches]);

    /// <summary>A table over batches already known to have <paramref name="schema"/> (no checks; the list is not copied).</summary>
    internal static Table OfCheckedBatches(Schema schema, IReadOnlyList<RecordBatch> batches) => new(schema, batches);

    /// <summary>
    /// The rows whose flag in <paramref name="mask"/> is set. When only whole batches are selected
    /// they are kept as they are (unless <paramref name="copy"/>: the table's arrays are about to be
    /// reused); otherwise the selected rows are gathered into one new batch.
    /// </summary>
    internal Table Where(ReadOnlySpan<bool> mask, bool copy = false)
    {
        var selected = new List<(RecordBatch Batch, int[] Rows)>();
        var offset = 0;
        foreach (var batch in Batches)
        {
            var flags = mask.Slice(offset, batch.Length);
            offset += batch.Length;
            var rows = new int[flags.Count(true)];
            for (int i = 0, n = 0; n < rows.Length; i++)
            {
                if (flags[i])
                {
                    rows[n++] = i;
                }
            }

            if (rows.Length > 0)
            {
                selected.Add((batch, rows));
            }
        }

        // Whole batches are kept as they are; each run of partly selected batches becomes one new batch.
        var kept = new List<RecordBatch>();
        var partial = new List<(RecordBatch Batch, int[] Rows)>();
        foreach (var selection in selected)
        {
            if (selection.Rows.Length == selection.Batch.Length && !copy)
            {
                Gather(partial, kept);
                kept.Add(selection.Batch);
            }
            else
            {
                partial.Add(selection);
            }
        }

        Gather(partial, kept);
        return new Table(Schema, kept);
    }

    private void Gather(List<(RecordBatch Batch, int[] Rows)> partial, List<RecordBatch> kept)
    {
        if (partial.Count == 0)
        {
            return;
        }

        var columns = Schema.FieldsList.Select((field, c) =>
            ArrowColumns.Take(partial.Select(s => (s.Batch.Column(c), s.Rows)).ToList(), field.DataType)).ToList();
        kept.Add(new RecordBatch(Schema, columns, partial.Sum(s => s.Rows.Length)));
        partial.Clear();
    }

    /// <summary>The index of column <paramref name="name"/>.</summary>
    /// <exception cref="SchemaException">No such column.</exception>
    internal int IndexOf(string name)
    {
        var index = Schema.IndexOfColumn(name);
        return index >= 0 ? index : throw NoColumn(name, Schema, null);
    }

    /// <summary>
    /// The error for a column <paramref name="schema"/> does not have: names it, the nearest column
    /// when one is close (a likely misspelling), the table when known, and every column it has.
    /// </summary>
    internal static SchemaException NoColumn(string name, Schema schema, string? path) =>
        new(
            $"No column '{name}'{NearestName.Hint(name, schema.FieldsList.Select(f => f.Name))}" +
            (path is null ? "; the table has" : $" in table '{path}', which has") + $" ({Describe(schema)}).",
            path);

    /// <summary>Columns as <c>name: type</c>, for messages.</summary>
    internal static string Describe(Schema schema) =>
        string.Join(", ", schema.FieldsList.Select(f => $"{f.Name}: {ArrowColumns.Describe(f.DataType)}"));

    private static Schema BuildSchema(IEnumerable<(string Name, IArrowType Type)> columns)
    {
        var builder = new Schema.Builder();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var (name, type) in columns)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new SchemaException($"The column at index {index} has an empty name; every column needs a name.");
            }

            if (!seen.TryAdd(name, index))
            {
                throw new SchemaException($"Column '{name}' appears twice (at indices {seen[name]} and {index}); column names must be unique.");
            }

            index++;

            if (!ArrowColumns.IsSupported(type))
            {
                throw new SchemaException($"Column '{name}' has type {type.Name}; supported: string, bool, int8..int64, uint8..uint64, float, double, timestamp, date32, date64, time32, time64.");
            }

            builder.Field(f => f.Name(name).DataType(type).Nullable(true));
        }

        return builder.Build();
    }
}
