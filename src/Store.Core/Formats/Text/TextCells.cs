using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Store.Core.Tables;

namespace Store.Core.Formats.Text;

/// <summary>
/// Table values as text cells (invariant culture, round-trip precision, timestamps as
/// <c>yyyy-MM-dd HH:mm:ss.ffffff</c> UTC) and back, plus type inference for files written by
/// other tools: int64, then double, then bool, then timestamp, else string.
/// </summary>
internal static class TextCells
{
    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.ffffff";

    /// <summary>The cell text of row <paramref name="row"/>, or null for a null value.</summary>
    public static string? Format(IArrowArray column, int row) => column.IsNull(row) ? null : column switch
    {
        StringArray s => s.GetString(row),
        BooleanArray b => b.GetValue(row)!.Value ? "true" : "false",
        TimestampArray t => t.GetTimestamp(row)!.Value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture),
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

    /// <summary>A column of <paramref name="type"/> from cells (null cells are nulls).</summary>
    /// <exception cref="FormatException">A cell that is not a value of the type (the caller names the file).</exception>
    public static IArrowArray Parse(IArrowType type, IReadOnlyList<string?> cells, string column) => type switch
    {
        StringType => TableColumn.Of(cells),
        BooleanType => TableColumn.Of<bool>(Map(cells, column, c => c.ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new FormatException($"'{c}' is not a bool"),
        })),
        TimestampType => TableColumn.Of<DateTime>(Map(cells, column, c => DateTime.Parse(c, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal))),
        Int8Type => TableColumn.Of<sbyte>(Map(cells, column, c => sbyte.Parse(c, CultureInfo.InvariantCulture))),
        Int16Type => TableColumn.Of<short>(Map(cells, column, c => short.Parse(c, CultureInfo.InvariantCulture))),
        Int32Type => TableColumn.Of<int>(Map(cells, column, c => int.Parse(c, CultureInfo.InvariantCulture))),
        Int64Type => TableColumn.Of<long>(Map(cells, column, c => long.Parse(c, CultureInfo.InvariantCulture))),
        UInt8Type => TableColumn.Of<byte>(Map(cells, column, c => byte.Parse(c, CultureInfo.InvariantCulture))),
        UInt16Type => TableColumn.Of<ushort>(Map(cells, column, c => ushort.Parse(c, CultureInfo.InvariantCulture))),
        UInt32Type => TableColumn.Of<uint>(Map(cells, column, c => uint.Parse(c, CultureInfo.InvariantCulture))),
        UInt64Type => TableColumn.Of<ulong>(Map(cells, column, c => ulong.Parse(c, CultureInfo.InvariantCulture))),
        FloatType => TableColumn.Of<float>(Map(cells, column, c => float.Parse(c, CultureInfo.InvariantCulture))),
        _ => TableColumn.Of<double>(Map(cells, column, c => double.Parse(c, CultureInfo.InvariantCulture))),
    };

    /// <summary>The narrowest of int64, double, bool, timestamp and string that every non-null cell fits.</summary>
    public static IArrowType Infer(IEnumerable<string?> cells)
    {
        var values = cells.OfType<string>().ToList();
        if (values.Count == 0)
        {
            return StringType.Default;
        }

        if (values.All(c => long.TryParse(c, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            return Int64Type.Default;
        }

        if (values.All(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            return DoubleType.Default;
        }

        if (values.All(c => c.ToLowerInvariant() is "true" or "false"))
        {
            return BooleanType.Default;
        }

        return values.All(c => c.Length >= 10 && char.IsAsciiDigit(c[0]) && c[4] == '-' && DateTime.TryParse(c, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            ? TableColumn.TimestampType
            : StringType.Default;
    }

    private static T?[] Map<T>(IReadOnlyList<string?> cells, string column, Func<string, T> parse) where T : struct
    {
        var values = new T?[cells.Count];
        for (var i = 0; i < values.Length; i++)
        {
            try
            {
                values[i] = cells[i] is { } cell ? parse(cell) : null;
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new FormatException($"row {i + 1}, column '{column}': {e.Message}", e);
            }
        }

        return values;
    }
}
