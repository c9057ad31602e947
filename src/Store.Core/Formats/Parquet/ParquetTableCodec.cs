using System.Buffers;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Parquet;
using Parquet.Schema;
using Store.Core.Formats.Parquet.Workarounds;
using Store.Core.Storage;
using Store.Core.Tables;
using ArrowSchema = Apache.Arrow.Schema;
using Field = Parquet.Schema.Field;
using ArrowTable = Store.Core.Tables.Table;

namespace Store.Core.Formats.Parquet;

/// <summary>
/// Parquet tables (Parquet.Net): a folder of part files, one per flush, each one row group (see
/// <see cref="PartFolder"/>); a single Parquet file another tool wrote is read too. Appending to
/// such a file adds the new rows as one more row group: Parquet.Net rewrites the footer in place,
/// so the file is first copied beside itself, the row group is appended to the copy, and the copy is
/// renamed over the original — a crash leaves the old or the new file, and the earlier row groups
/// are copied as bytes, never re-encoded. Scans skip row groups by their min/max statistics.
/// </summary>
internal sealed class ParquetTableCodec : TableCodec
{
    /// <inheritdoc />
    public override string Extension => ".parquet";

    /// <inheritdoc />
    public override bool ReadsRanges => true;

    /// <inheritdoc />
    protected override bool WritesParts => true;

    /// <inheritdoc />
    protected override void AppendToFile(string root, string path, string file, ArrowTable rows)
    {
        var stored = Guard(file, () => ParquetReader.ReadSchemaAsync(file).GetAwaiter().GetResult());
        var optional = stored.GetDataFields().Select(f => f.IsNullable).ToArray();
        var schema = optional.Length == rows.Schema.FieldsList.Count ? ToParquet(rows.Schema, c => optional[c]) : null;
        var nullsFit = Enumerable.Range(0, optional.Length).All(c => optional[c] || !HasNulls(rows, c));
        if (schema is null || !stored.Equals(schema) || !nullsFit || !ParquetTimestamps.CanAppendAsync(file, rows.Schema, stored).GetAwaiter().GetResult())
        {
            // Another tool's physical schema (timestamps: another unit or encoding), or nulls arriving in a required column: rewrite the file whole.
            base.AppendToFile(root, path, file, rows);
            return;
        }

        AtomicFile.Replace(file, stream =>
        {
            using (var original = File.OpenRead(file))
            {
                original.CopyTo(stream);
            }

            WriteRowGroupsAsync(stream, schema, rows, append: true).GetAwaiter().GetResult();
        });
    }

    /// <inheritdoc />
    protected override (ArrowSchema Schema, long Rows) InspectFile(string file) => InspectAsync(file).GetAwaiter().GetResult();

    /// <inheritdoc />
    protected override ArrowSchema ReadSchema(string file) => InspectFile(file).Schema;

    /// <inheritdoc />
    protected override ArrowTable LoadFile(string file) => LoadAsync(file, 0, long.MaxValue, null, null).GetAwaiter().GetResult();

    /// <inheritdoc />
    /// <remarks>One piece per row group, with the min/max statistics the file records.</remarks>
    protected override IEnumerable<TableChunk> ScanFile(string file, ArrowSchema columns)
    {
        using var stream = Guard(file, () => new SyncReadFileStream(file));
        var reader = Guard(file, () => ParquetReader.CreateAsync(stream).GetAwaiter().GetResult());
        try
        {
            var stored = Guard(file, () => ToArrow(reader.Schema, reader.CustomMetadata, file));
            CheckColumns(columns, stored, file);
            var fields = reader.Schema.GetDataFields();
            var ownWriter = OwnWriter(reader);
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = Guard(file, () => reader.OpenRowGroupReader(g));
                yield return new RowGroupChunk(stream, file, g, group, fields, stored, ownWriter);
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>One row group: statistics from the footer; columns decoded when read.</summary>
    private sealed class RowGroupChunk(FileStream stream, string file, int index, ParquetRowGroupReader group, DataField[] fields, ArrowSchema schema, bool ownWriter) : TableChunk
    {
        public override ColumnRange? Range(string column)
        {
            var c = schema.IndexOfColumn(column);
            try
            {
                return c < 0 || group.GetStatistics(fields[c]) is not { } stats
                    ? null
                    : new ColumnRange(Bound(stats.MinValue), Bound(stats.MaxValue), stats.NullCount, group.RowCount);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return null; // statistics it cannot decode: the row group is read
            }
        }

        public override ArrowTable Read(IReadOnlyList<string> columns, RentedBuffers? borrowed = null) => ReadSome(columns, null, borrowed);

        public override ArrowTable ReadWhere(IReadOnlyList<string> columns, bool[] mask) => ReadSome(columns, mask, null);

        // The named columns, every row or the rows mask selects; borrowed: see TableChunk.Read.
        private ArrowTable ReadSome(IReadOnlyList<string> columns, bool[]? mask, RentedBuffers? borrowed)
        {
            var rows = mask is null ? checked((int)group.RowCount) : mask.AsSpan().Count(true);
            var subset = new ArrowSchema(columns.Select(schema.ColumnNamed), null);
            var arrays = new IArrowArray[columns.Count];
            var decode = new List<int>();
            for (var c = 0; c < columns.Count; c++)
            {
                if (Constant(columns[c]) is { } value)
                {
                    arrays[c] = ArrowColumns.Repeated(value, rows);
                }
                else
                {
                    decode.Add(c);
                }
            }

            if (decode.Count > 0)
            {
                var picked = decode.Select(c => schema.IndexOfColumn(columns[c])).ToArray();
                var decoded = Guard(file, () => ReadGroupAsync(stream, file, index, group, fields, picked, new ArrowSchema(decode.Select(c => subset.GetFieldByIndex(c)), null), ownWriter, mask, borrowed).GetAwaiter().GetResult());
                for (var d = 0; d < decode.Count; d++)
                {
                    arrays[decode[d]] = decoded.Column(d);
                }
            }

            return ArrowTable.FromBatches(subset, [new RecordBatch(subset, arrays, rows)]);
        }

        // A string column whose statistics say every value is the same short string (an ensemble id
        // in every row) is built from them, not decoded. Only in files Parquet.Net wrote (its string
        // bounds are the values themselves; other writers may truncate them), only short strings, and
        // never numbers (their bounds leave NaN out).
        private string? Constant(string column) =>
            ownWriter && schema.ColumnNamed(column).DataType is StringType
            && Range(column) is { Min: string min, Max: string max, NullCount: 0 }
            && min == max && min.Length <= 16
                ? min
                : null;

        // String bounds only when ASCII: older writers ordered non-ASCII bytes as signed.
        private static object? Bound(object? value) => value is string text && !Ascii.IsValid(text) ? null : value;
    }

    /// <inheritdoc />
    /// <remarks>Only the row groups that hold the rows are opened, and in them only the named columns are decoded.</remarks>
    protected override ArrowTable LoadRangeFile(string file, long start, long count, IReadOnlyList<string> columns, ResultBudget budget) =>
        LoadAsync(file, start, count, columns, budget).GetAwaiter().GetResult();

    /// <inheritdoc />
    /// <remarks>
    /// Every column is written optional, even one without nulls in this file: dataset readers
    /// (pyarrow, Spark) take a folder's schema from one part, and a column required there but
    /// holding nulls in a later part would be read as "not null" with nulls in it.
    /// </remarks>
    protected override void WriteFile(Stream stream, ArrowTable table) =>
        WriteRowGroupsAsync(stream, ToParquet(table.Schema, _ => true), table, append: false).GetAwaiter().GetResult();

    private static bool HasNulls(ArrowTable table, int column) => table.Batches.Any(b => b.Column(column).NullCount > 0);

    private static async Task<(ArrowSchema Schema, long Rows)> InspectAsync(string file)
    {
        await using var stream = new SyncReadFileStream(file);
        await using var reader = await ParquetReader.CreateAsync(stream);
        return (ToArrow(reader.Schema, reader.CustomMetadata, file), reader.RowGroups.Sum(g => g.RowCount));
    }

    // Rows [start, start + count) of the columns (all when null), row group by row group, each counted against the budget.
    private static async Task<ArrowTable> LoadAsync(string file, long start, long count, IReadOnlyList<string>? columns, ResultBudget? budget)
    {
        await using var stream = new SyncReadFileStream(file);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var stored = ToArrow(reader.Schema, reader.CustomMetadata, file);
        var fields = reader.Schema.GetDataFields();
        var picked = columns?.Select(name => stored.IndexOfColumn(name) is var c and >= 0
            ? c
            : throw new SchemaException($"{file}: no column '{name}'; the file has ({ArrowTable.Describe(stored)}).", file)).ToArray()
            ?? [.. Enumerable.Range(0, fields.Length)];
        var schema = new ArrowSchema(picked.Select(stored.GetFieldByIndex), null);
        var batches = new List<RecordBatch>();
        long groupStart = 0;
        var stop = count == long.MaxValue ? long.MaxValue : start + count;
        for (var g = 0; g < reader.RowGroupCount && groupStart < stop; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            var (from, to) = (Math.Max(start, groupStart), Math.Min(stop, groupStart + rows));
            if (to > from)
            {
                var batch = await ReadGroupAsync(stream, file, g, group, fields, picked, schema, OwnWriter(reader));
                batches.Add(to - from == rows ? batch : batch.Slice((int)(from - groupStart), (int)(to - from)));
                budget?.Add(batches[^1]);
            }

            groupStart += rows;
        }

        return ArrowTable.FromBatches(schema, batches);
    }

    // Whether Parquet.Net wrote the file (the store, or another Parquet.Net user).
    private static bool OwnWriter(ParquetReader reader) => reader.Metadata?.CreatedBy?.StartsWith("Parquet.Net", StringComparison.Ordinal) == true;

    /// <summary>
    /// The picked columns of row group <paramref name="g"/> as one batch of <paramref name="schema"/>:
    /// every row, or only those <paramref name="mask"/> selects (the store's own chunk readers then
    /// build just those; columns Parquet.Net decodes are taken from the whole). The store's own
    /// readers build in arrays rented from <paramref name="borrowed"/> when given (see <see cref="TableChunk.Read"/>).
    /// </summary>
    private static async Task<RecordBatch> ReadGroupAsync(FileStream stream, string file, int g, ParquetRowGroupReader group, DataField[] fields, int[] picked, ArrowSchema schema, bool ownWriter, bool[]? mask = null, RentedBuffers? borrowed = null)
    {
        var rows = checked((int)group.RowCount);
        var selected = mask is null ? null : Selected(mask);
        var arrays = new IArrowArray[picked.Length];
        for (var c = 0; c < picked.Length; c++)
        {
            var (field, type) = (fields[picked[c]], schema.GetFieldByIndex(c).DataType);
            var chunk = group.GetMetadata(field);
            if (ParquetWorkarounds.Bypasses(chunk, field, type))
            {
                arrays[c] = ParquetWorkarounds.ReadColumn(stream, file, g, chunk, field, type, rows, selected, borrowed);
                continue;
            }

            var whole = ParquetWorkarounds.BypassesStrings(chunk, field, type, ownWriter)
                ? ParquetWorkarounds.ReadStrings(stream, file, g, chunk, field, rows, borrowed)
                : await ReadColumnAsync(group, field, type, rows, file);
            arrays[c] = selected is null ? whole : ArrowColumns.Take([(whole, selected)], type);
        }

        return new RecordBatch(schema, arrays, selected?.Length ?? rows);
    }

    // The indices of the rows a mask selects, ascending.
    private static int[] Selected(bool[] mask)
    {
        var rows = new int[mask.AsSpan().Count(true)];
        for (int i = 0, n = 0; n < rows.Length; i++)
        {
            if (mask[i])
            {
                rows[n++] = i;
            }
        }

        return rows;
    }

    private static async Task WriteRowGroupsAsync(Stream stream, ParquetSchema schema, ArrowTable table, bool append)
    {
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, append: append);
        if (!append && ParquetTimestamps.MetadataFor(table.Schema) is { } timestamps)
        {
            writer.CustomMetadata = new Dictionary<string, string> { [timestamps.Key] = timestamps.Value };
        }

        if (table.RowCount == 0 && append)
        {
            return;
        }

        // One row group; each column gathered straight from the batches (no whole-table copy first).
        var fields = schema.GetDataFields();
        var rows = checked((int)table.RowCount);
        using var group = writer.CreateRowGroup();
        for (var c = 0; c < fields.Length; c++)
        {
            var pieces = table.Batches.Select(b => b.Column(c)).ToList();
            await WriteColumnAsync(group, fields[c], table.Schema.GetFieldByIndex(c).DataType, pieces, rows);
        }
    }

    private static Task WriteColumnAsync(ParquetRowGroupWriter group, DataField field, IArrowType type, IReadOnlyList<IArrowArray> pieces, int rows) => type switch
    {
        StringType => WriteStrings(group, field, pieces, rows),
        BooleanType => Write(group, field, Gather(pieces, rows, (a, i) => ((BooleanArray)a).GetValue(i)!.Value)),
        TimestampType timestamp => ParquetTimestamps.WriteAsync(group, field, timestamp, pieces, rows),
        Int8Type => WritePrimitive<sbyte>(group, field, pieces, rows),
        Int16Type => WritePrimitive<short>(group, field, pieces, rows),
        Int32Type => WritePrimitive<int>(group, field, pieces, rows),
        Int64Type => WritePrimitive<long>(group, field, pieces, rows),
        UInt8Type => WritePrimitive<byte>(group, field, pieces, rows),
        UInt16Type => WritePrimitive<ushort>(group, field, pieces, rows),
        UInt32Type => WritePrimitive<uint>(group, field, pieces, rows),
        UInt64Type => WritePrimitive<ulong>(group, field, pieces, rows),
        FloatType => WritePrimitive<float>(group, field, pieces, rows),
        DoubleType => WritePrimitive<double>(group, field, pieces, rows),
        _ => throw new SchemaException($"Column '{field.Name}' of type {type.Name} cannot be written to Parquet."),
    };

    private static Task Write<T>(ParquetRowGroupWriter group, DataField field, T?[] values) where T : struct =>
        field.IsNullable ? group.WriteAsync<T>(field, values) : group.WriteAsync<T>(field, values.Select(v => v!.Value).ToArray());

    private static async Task WritePrimitive<T>(ParquetRowGroupWriter group, DataField field, IReadOnlyList<IArrowArray> pieces, int rows) where T : struct, IEquatable<T>
    {
        if (field.IsNullable)
        {
            await group.WriteAsync<T>(field, Primitive<T>(pieces, rows));
            return;
        }

        // A required column has no nulls: its values are copied straight from the Arrow buffers into a pooled array.
        var values = ArrayPool<T>.Shared.Rent(rows);
        try
        {
            var offset = 0;
            foreach (var piece in pieces.Cast<PrimitiveArray<T>>())
            {
                piece.Values.CopyTo(values.AsSpan(offset));
                offset += piece.Length;
            }

            await group.WriteAsync<T>(field, values.AsMemory(0, rows));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(values);
        }
    }

    private static T?[] Primitive<T>(IReadOnlyList<IArrowArray> pieces, int rows) where T : struct, IEquatable<T>
    {
        var values = new T?[rows];
        var offset = 0;
        foreach (var piece in pieces.Cast<PrimitiveArray<T>>())
        {
            var source = piece.Values;
            for (var i = 0; i < source.Length; i++)
            {
                values[offset + i] = piece.NullCount == 0 || piece.IsValid(i) ? source[i] : null;
            }

            offset += source.Length;
        }

        return values;
    }

    private static T?[] Gather<T>(IReadOnlyList<IArrowArray> pieces, int rows, Func<IArrowArray, int, T> get) where T : struct
    {
        var values = new T?[rows];
        var offset = 0;
        foreach (var piece in pieces)
        {
            for (var i = 0; i < piece.Length; i++)
            {
                values[offset + i] = piece.IsValid(i) ? get(piece, i) : null;
            }

            offset += piece.Length;
        }

        return values;
    }

    /// <summary>
    /// A string column as Parquet.Net's native <c>ReadOnlyMemory&lt;char&gt;</c> values: the UTF-8 bytes of
    /// all batches are converted into one UTF-16 buffer (a vectorised widening when they are ASCII) and
    /// each value is a slice of it, so no string is allocated per row.
    /// </summary>
    private static async Task WriteStrings(ParquetRowGroupWriter group, DataField field, IReadOnlyList<IArrowArray> pieces, int rows)
    {
        var chars = ArrayPool<char>.Shared.Rent(pieces.Cast<StringArray>().Sum(p => p.ValueOffsets[p.Length] - p.ValueOffsets[0]));
        var values = ArrayPool<ReadOnlyMemory<char>>.Shared.Rent(rows);
        try
        {
            await WriteStrings(group, field, pieces, rows, chars, values);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<ReadOnlyMemory<char>>.Shared.Return(values, clearArray: true);
        }
    }

    private static Task WriteStrings(ParquetRowGroupWriter group, DataField field, IReadOnlyList<IArrowArray> pieces, int rows, char[] chars, ReadOnlyMemory<char>[] values)
    {
        var nulls = field.IsNullable ? new bool[rows] : null;
        int row = 0, used = 0;
        foreach (var piece in pieces.Cast<StringArray>())
        {
            var offsets = piece.ValueOffsets;
            var bytes = piece.ValueBuffer.Span[offsets[0]..offsets[piece.Length]];
            if (Ascii.ToUtf16(bytes, chars.AsSpan(used), out _) == OperationStatus.Done)
            {
                for (var i = 0; i < piece.Length; i++, row++)
                {
                    values[row] = chars.AsMemory(used + offsets[i] - offsets[0], offsets[i + 1] - offsets[i]);
                }

                used += bytes.Length;
            }
            else
            {
                for (var i = 0; i < piece.Length; i++, row++)
                {
                    var count = Encoding.UTF8.GetChars(bytes[(offsets[i] - offsets[0])..(offsets[i + 1] - offsets[0])], chars.AsSpan(used));
                    values[row] = chars.AsMemory(used, count);
                    used += count;
                }
            }

            if (nulls is not null && piece.NullCount > 0)
            {
                for (var i = 0; i < piece.Length; i++)
                {
                    nulls[row - piece.Length + i] = piece.IsNull(i);
                }
            }
        }

        if (nulls is null)
        {
            return group.WriteAsync<ReadOnlyMemory<char>>(field, values.AsMemory(0, rows));
        }

        // Parquet.Net 6 writes a null ReadOnlyMemory<char>? as an empty string, so optional columns go through strings.
        var nullable = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            nullable[i] = nulls[i] ? null : values[i].ToString();
        }

        return group.WriteAsync(field, nullable);
    }

    private static async Task<IArrowArray> ReadColumnAsync(ParquetRowGroupReader group, DataField field, IArrowType type, int rows, string file)
    {
        switch (type)
        {
            case TimestampType timestamp when ParquetTimestamps.IsTimestamp(field):
                return await ParquetTimestamps.ReadAsync(group, (DateTimeDataField)field, timestamp, rows, file);
            case StringType:
                var strings = ArrayPool<string?>.Shared.Rent(rows);
                try
                {
                    await group.ReadAsync(field, strings.AsMemory(0, rows));
                    return ArrowColumns.FromStrings(strings.AsSpan(0, rows));
                }
                finally
                {
                    ArrayPool<string?>.Shared.Return(strings, clearArray: true);
                }
            case TimestampType: return TableColumn.Of<DateTime>(await ReadAsync<DateTime>(group, field, rows));
            case BooleanType: return TableColumn.Of<bool>(await ReadAsync<bool>(group, field, rows));
            case Int8Type: return await ReadNumbersAsync<sbyte>(group, field, rows);
            case Int16Type: return await ReadNumbersAsync<short>(group, field, rows);
            case Int32Type: return await ReadNumbersAsync<int>(group, field, rows);
            case Int64Type: return await ReadNumbersAsync<long>(group, field, rows);
            case UInt8Type: return await ReadNumbersAsync<byte>(group, field, rows);
            case UInt16Type: return await ReadNumbersAsync<ushort>(group, field, rows);
            case UInt32Type: return await ReadNumbersAsync<uint>(group, field, rows);
            case UInt64Type: return await ReadNumbersAsync<ulong>(group, field, rows);
            case FloatType: return await ReadNumbersAsync<float>(group, field, rows);
            default: return await ReadNumbersAsync<double>(group, field, rows);
        }
    }

    // Decoded into a pooled array and copied into the Arrow buffers in one pass (one block when there are no nulls).
    private static async Task<IArrowArray> ReadNumbersAsync<T>(ParquetRowGroupReader group, DataField field, int rows) where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = ArrayPool<T?>.Shared.Rent(rows);
            try
            {
                await group.ReadAsync<T>(field, nullable.AsMemory(0, rows));
                return ArrowColumns.FromNullable<T>(ArrowColumns.TypeOf<T>(), nullable.AsSpan(0, rows));
            }
            finally
            {
                ArrayPool<T?>.Shared.Return(nullable);
            }
        }

        var plain = ArrayPool<T>.Shared.Rent(rows);
        try
        {
            await group.ReadAsync<T>(field, plain.AsMemory(0, rows));
            return TableColumn.Of<T>(plain.AsSpan(0, rows));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(plain);
        }
    }

    private static async Task<T?[]> ReadAsync<T>(ParquetRowGroupReader group, DataField field, int rows) where T : struct
    {
        var values = new T?[rows];
        if (field.IsNullable)
        {
            await group.ReadAsync<T>(field, values.AsMemory());
            return values;
        }

        var plain = new T[rows];
        await group.ReadAsync<T>(field, plain.AsMemory());
        for (var i = 0; i < rows; i++)
        {
            values[i] = plain[i];
        }

        return values;
    }

    private static ParquetSchema ToParquet(ArrowSchema schema, Func<int, bool> optional) => new(schema.FieldsList.Select((f, c) => ToParquet(f, optional(c))));

    private static Field ToParquet(Apache.Arrow.Field field, bool optional) => field.DataType switch
    {
        StringType => new DataField<string>(field.Name, optional),
        TimestampType timestamp => ParquetTimestamps.FieldFor(field.Name, timestamp, optional),
        BooleanType => new DataField(field.Name, typeof(bool), optional),
        Int8Type => new DataField(field.Name, typeof(sbyte), optional),
        Int16Type => new DataField(field.Name, typeof(short), optional),
        Int32Type => new DataField(field.Name, typeof(int), optional),
        Int64Type => new DataField(field.Name, typeof(long), optional),
        UInt8Type => new DataField(field.Name, typeof(byte), optional),
        UInt16Type => new DataField(field.Name, typeof(ushort), optional),
        UInt32Type => new DataField(field.Name, typeof(uint), optional),
        UInt64Type => new DataField(field.Name, typeof(ulong), optional),
        FloatType => new DataField(field.Name, typeof(float), optional),
        DoubleType => new DataField(field.Name, typeof(double), optional),
        _ => throw new SchemaException($"Column '{field.Name}' of type {field.DataType.Name} cannot be written to Parquet."),
    };

    private static ArrowSchema ToArrow(ParquetSchema schema, IReadOnlyDictionary<string, string> metadata, string file)
    {
        foreach (var column in schema.Fields)
        {
            if (column is not DataField { IsArray: false, MaxRepetitionLevel: 0 })
            {
                throw Nested(schema, column, file);
            }
        }

        var builder = new ArrowSchema.Builder();
        foreach (var field in schema.GetDataFields())
        {
            IArrowType type = field.ClrType switch
            {
                var t when t == typeof(string) || t == typeof(ReadOnlyMemory<char>) => StringType.Default,
                var t when t == typeof(bool) => BooleanType.Default,
                var t when ArrowColumns.NumberTypeOf(t) is { } number => number,
                var t when t == typeof(DateTime) => ParquetTimestamps.IsTimestamp(field)
                    ? ParquetTimestamps.ArrowTypeOf((DateTimeDataField)field, metadata, file)
                    : TableColumn.TimestampType,
                _ => throw new CorruptDataException(
                    $"{file}: column '{field.Name}' holds {field.ClrType.Name}; supported: string, bool, integers, float, double, timestamp.", file),
            };
            builder.Field(f => f.Name(field.Name).DataType(type).Nullable(true));
        }

        return builder.Build();
    }

    /// <summary>
    /// The error for a struct, list or map column: named by its path and its leaves' paths (Parquet.Net
    /// would hand out each leaf under its own last name, <c>x</c> for <c>point.x</c>, which the store
    /// must not pass off as a flat column).
    /// </summary>
    private static CorruptDataException Nested(ParquetSchema schema, Field column, string file)
    {
        var kind = column switch
        {
            StructField => "a struct",
            MapField => "a map",
            _ => "a list",
        };
        var leaves = schema.GetDataFields()
            .Where(f => f.Path.FirstPart == column.Name)
            .Select(f => string.Join('.', f.Path.ToList()));
        return new CorruptDataException(
            $"{file}: column '{column.Name}' is {kind} (leaf columns {string.Join(", ", leaves)}); nested columns are not supported: " +
            "expected flat columns of string, bool, integers, float, double or timestamp.",
            file);
    }
}
