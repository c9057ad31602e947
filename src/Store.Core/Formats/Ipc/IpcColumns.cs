using Apache.Arrow;
using Apache.Arrow.Types;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Formats.Ipc;

/// <summary>
/// Maps the columns of an Arrow IPC file another tool wrote to the store's column types, without
/// changing a value: dictionary-encoded columns are decoded to their value type (a dictionary of
/// utf8 becomes utf8, of int32 becomes int32), <c>large_utf8</c> becomes utf8 (a batch with more
/// than 2 GiB of text is refused), dates and times of day are kept as they are. Any other type
/// (decimal, binary, nested, …) is refused naming the file, the column and the type.
/// </summary>
internal static class IpcColumns
{
    /// <summary>The table of <paramref name="batches"/> in store types; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="CorruptDataException">A column of a type the store cannot hold, or large_utf8 text past 2 GiB in one batch.</exception>
    public static Table ToStoreTable(Schema schema, IReadOnlyList<RecordBatch> batches, string file)
    {
        var fields = schema.FieldsList;
        if (fields.All(f => ArrowColumns.IsSupported(f.DataType)))
        {
            return Table.FromBatches(schema, batches);
        }

        var types = fields.Select(f => StoreType(f.DataType, f.Name, file)).ToArray();
        var converted = new Schema(fields.Select((f, c) => new Field(f.Name, types[c], nullable: true)), null);
        return Table.FromBatches(
            converted,
            batches.Select(b => new RecordBatch(converted, b.Arrays.Select((a, c) => Convert(a, fields[c].Name, file)), b.Length)));
    }

    private static IArrowType StoreType(IArrowType type, string column, string file) => type switch
    {
        DictionaryType dictionary => StoreType(dictionary.ValueType, column, file),
        LargeStringType => StringType.Default,
        _ when ArrowColumns.IsSupported(type) => type,
        _ => throw new CorruptDataException(
            $"{file}: column '{column}' has Arrow type {type.Name}, which the store cannot hold; expected string, bool, int8..int64, uint8..uint64, " +
            "float, double, timestamp, date32, date64, time32 or time64 (dictionary-encoded columns of these are decoded, large_utf8 is read as utf8).",
            file),
    };

    private static IArrowArray Convert(IArrowArray array, string column, string file) => array switch
    {
        DictionaryArray dictionary => Decode(dictionary, Convert(dictionary.Dictionary, column, file)),
        LargeStringArray large => ToUtf8(large, column, file),
        _ => array,
    };

    private static StringArray ToUtf8(LargeStringArray large, string column, string file)
    {
        var offsets = large.ValueOffsets;
        var bytes = large.Length == 0 ? 0 : offsets[large.Length] - offsets[0];
        if (bytes > int.MaxValue)
        {
            throw new CorruptDataException(
                $"{file}: large_utf8 column '{column}' holds {bytes} bytes of text in one record batch; the store reads large_utf8 as utf8, which holds at most {int.MaxValue} bytes per batch.",
                file);
        }

        var builder = new StringArray.Builder();
        for (var i = 0; i < large.Length; i++)
        {
            if (large.IsNull(i))
            {
                builder.AppendNull();
            }
            else
            {
                builder.Append(large.GetString(i));
            }
        }

        return builder.Build(ManagedArrowMemory.Instance);
    }

    // The dictionary's value at each index; a null index (or a null dictionary entry) is a null.
    private static IArrowArray Decode(DictionaryArray encoded, IArrowArray dictionary)
    {
        var length = encoded.Length;
        var rows = new int[length];
        var valid = new bool[length];
        for (var i = 0; i < length; i++)
        {
            var index = IndexAt(encoded.Indices, i);
            valid[i] = index is { } at && dictionary.IsValid((int)at);
            rows[i] = valid[i] ? (int)index!.Value : 0;
        }

        switch (dictionary)
        {
            case StringArray strings:
                var builder = new StringArray.Builder();
                for (var i = 0; i < length; i++)
                {
                    if (valid[i])
                    {
                        builder.Append(strings.GetString(rows[i]));
                    }
                    else
                    {
                        builder.AppendNull();
                    }
                }

                return builder.Build(ManagedArrowMemory.Instance);
            case BooleanArray bools:
                return TableColumn.Of<bool>(Enumerable.Range(0, length).Select(i => valid[i] ? bools.GetValue(rows[i]) : null).ToArray());
            default:
                // Fixed-width values: copy each row's bytes.
                var width = ((FixedWidthType)dictionary.Data.DataType).BitWidth / 8;
                var source = dictionary.Data.Buffers[1].Span[(dictionary.Data.Offset * width)..];
                var values = new byte[length * width];
                var validity = new ArrowBuffer.BitmapBuilder(length);
                var nulls = 0;
                for (var i = 0; i < length; i++)
                {
                    source.Slice(rows[i] * width, width).CopyTo(values.AsSpan(i * width));
                    validity.Append(valid[i]);
                    nulls += valid[i] ? 0 : 1;
                }

                return ArrowArrayFactory.BuildArray(new ArrayData(
                    dictionary.Data.DataType, length, nulls, 0, [nulls == 0 ? ArrowBuffer.Empty : validity.Build(ManagedArrowMemory.Instance), new ArrowBuffer(values)]));
        }
    }

    private static long? IndexAt(IArrowArray indices, int i) => indices switch
    {
        Int8Array a => a.GetValue(i),
        Int16Array a => a.GetValue(i),
        Int32Array a => a.GetValue(i),
        Int64Array a => a.GetValue(i),
        UInt8Array a => a.GetValue(i),
        UInt16Array a => a.GetValue(i),
        UInt32Array a => a.GetValue(i),
        UInt64Array a => (long?)a.GetValue(i),
        _ => throw new InvalidDataException($"dictionary indices of type {indices.Data.DataType.Name}"),
    };
}
