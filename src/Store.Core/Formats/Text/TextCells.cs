using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Store.Core.Tables;

namespace Store.Core.Formats.Text;

/// <summary>
/// Table values as text cells (invariant culture, round-trip precision; timestamps as
/// <see cref="Timestamps.Format"/> writes them: every digit of their unit, <c>Z</c> only when zoned)
/// and back, read from the cells' UTF-8 bytes straight into Arrow buffers (no string per cell, but
/// for timestamps). <see cref="TextTypeGuess"/> infers the types of files other tools wrote.
/// </summary>
internal static class TextCells
{
    /// <summary>The cell text of row <paramref name="row"/>, or null for a null value.</summary>
    public static string? Format(IArrowArray column, int row) => column.IsNull(row) ? null : column switch
    {
        StringArray s => s.GetString(row),
        BooleanArray b => b.GetValue(row)!.Value ? "true" : "false",
        TimestampArray t => Timestamps.Format(t.Values[row], (TimestampType)t.Data.DataType),
        FloatArray f => f.GetValue(row)!.Value.ToString("R", CultureInfo.InvariantCulture),
        DoubleArray d => d.GetValue(row)!.Value.ToString("R", CultureInfo.InvariantCulture),
        Int8Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
        Int16Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
        Int32Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
        Int64Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
        UInt8Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
        UInt16Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
        UInt32Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
        UInt64Array a => a.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
        _ => throw new SchemaException($"Columns of type {column.Data.DataType.Name} cannot be written as text."),
    };

    /// <summary>Whether values of <paramref name="type"/> are written without quotes in JSON.</summary>
    public static bool IsJsonNumber(IArrowType type) =>
        type.TypeId is not (ArrowTypeId.String or ArrowTypeId.Boolean or ArrowTypeId.Timestamp);

    /// <summary>Column <paramref name="column"/> of <paramref name="block"/> as <paramref name="type"/> (null cells are nulls).</summary>
    /// <exception cref="FormatException">A cell that is not a value of the type, naming its row in the file and the column (the caller names the file).</exception>
    public static IArrowArray Parse(IArrowType type, TextBlock block, int column, string name) => type switch
    {
        StringType => Strings(block, column),
        BooleanType => Bools(block, column, name),
        TimestampType timestamp => Values(type, block, column, name, text => Timestamps.Parse(Encoding.UTF8.GetString(text), timestamp)),
        Int8Type => Values(type, block, column, name, text => sbyte.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        Int16Type => Values(type, block, column, name, text => short.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        Int32Type => Values(type, block, column, name, text => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        Int64Type => Values(type, block, column, name, text => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        UInt8Type => Values(type, block, column, name, text => byte.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        UInt16Type => Values(type, block, column, name, text => ushort.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        UInt32Type => Values(type, block, column, name, text => uint.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        UInt64Type => Values(type, block, column, name, text => ulong.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        FloatType => Values(type, block, column, name, text => float.Parse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture)),
        _ => Values(DoubleType.Default, block, column, name, text => double.Parse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture)),
    };

    /// <summary>Whether a cell reads as a bool: <c>true</c>, <c>false</c> (any case), <c>1</c> or <c>0</c>; null when it does not.</summary>
    private static bool? ParseBool(ReadOnlySpan<byte> text) =>
        Ascii.EqualsIgnoreCase(text, "true"u8) || text.SequenceEqual("1"u8) ? true
        : Ascii.EqualsIgnoreCase(text, "false"u8) || text.SequenceEqual("0"u8) ? false
        : null;

    private static IArrowArray Values<T>(IArrowType type, TextBlock block, int column, string name, Func<ReadOnlySpan<byte>, T> parse) where T : struct
    {
        var values = new byte[block.Rows * Unsafe.SizeOf<T>()];
        var (validity, nulls) = Validity(block, column);
        for (var row = 0; row < block.Rows; row++)
        {
            if (!block.IsNull(row, column))
            {
                MemoryMarshal.Cast<byte, T>(values.AsSpan())[row] = Cell(block, row, column, name, parse);
            }
        }

        return ArrowArrayFactory.BuildArray(new ArrayData(type, block.Rows, nulls, 0, [validity, new ArrowBuffer(values)]));
    }

    private static IArrowArray Bools(TextBlock block, int column, string name)
    {
        var values = new byte[BitUtility.ByteCount(block.Rows)];
        var (validity, nulls) = Validity(block, column);
        for (var row = 0; row < block.Rows; row++)
        {
            if (!block.IsNull(row, column))
            {
                BitUtility.SetBit(values, row, Cell(block, row, column, name, text => ParseBool(text) ?? throw new FormatException($"'{Encoding.UTF8.GetString(text)}' is not a bool")));
            }
        }

        return ArrowArrayFactory.BuildArray(new ArrayData(BooleanType.Default, block.Rows, nulls, 0, [validity, new ArrowBuffer(values)]));
    }

    private static IArrowArray Strings(TextBlock block, int column)
    {
        var offsets = new byte[(block.Rows + 1) * sizeof(int)];
        var ends = MemoryMarshal.Cast<byte, int>(offsets.AsSpan());
        for (var row = 0; row < block.Rows; row++)
        {
            ends[row + 1] = ends[row] + (block.IsNull(row, column) ? 0 : block.Text(row, column).Length);
        }

        var data = new byte[ends[block.Rows]];
        for (var row = 0; row < block.Rows; row++)
        {
            if (!block.IsNull(row, column))
            {
                block.Text(row, column).CopyTo(data.AsSpan(ends[row]));
            }
        }

        var (validity, nulls) = Validity(block, column);
        return new StringArray(block.Rows, new ArrowBuffer(offsets), new ArrowBuffer(data), validity, nulls);
    }

    // The column's validity bitmap (empty when it has no nulls) and its null count.
    private static (ArrowBuffer Validity, int Nulls) Validity(TextBlock block, int column)
    {
        var bits = new byte[BitUtility.ByteCount(block.Rows)];
        var nulls = 0;
        for (var row = 0; row < block.Rows; row++)
        {
            if (block.IsNull(row, column))
            {
                nulls++;
            }
            else
            {
                BitUtility.SetBit(bits, row);
            }
        }

        return (nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(bits), nulls);
    }

    private static T Cell<T>(TextBlock block, int row, int column, string name, Func<ReadOnlySpan<byte>, T> parse)
    {
        try
        {
            return parse(block.Text(row, column));
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new FormatException($"row {block.FirstRow + row + 1}, column '{name}': {e.Message}", e);
        }
    }
}
