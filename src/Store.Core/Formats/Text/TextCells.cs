using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Store.Core.Tables;

namespace Store.Core.Formats.Text;

/// <summary>
/// Table values as text cells (invariant culture, round-trip precision; timestamps as
/// <see cref="Timestamps.Format"/> writes them: every digit of their unit, <c>Z</c> only when zoned)
/// and back, plus type inference for files written by other tools: int64, then double, then bool,
/// then timestamp, else string.
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
        TimestampType timestamp => TableColumn.Timestamps(timestamp, Map(cells, column, c => Timestamps.Parse(c, timestamp))),
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

    /// <summary>
    /// The narrowest of int64, double, bool, timestamp and string that every non-null cell fits.
    /// Timestamps are zoned (UTC) when every cell has a <c>Z</c> or offset and have no zone when none
    /// has (mixed cells stay strings); microseconds, or nanoseconds when a cell has more than 6
    /// fractional digits, so no digit is lost.
    /// </summary>
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

        return InferTimestamp(values) ?? (IArrowType)StringType.Default;
    }

    private static TimestampType? InferTimestamp(List<string> values)
    {
        var parsed = new List<TimestampText>(values.Count);
        foreach (var cell in values)
        {
            if (Timestamps.TryParse(cell, out _) is not { } text)
            {
                return null;
            }

            parsed.Add(text);
        }

        var zoned = parsed[0].HasOffset;
        if (parsed.Any(p => p.HasOffset != zoned))
        {
            return null;
        }

        var unit = parsed.Any(p => p.FractionDigits > 6) ? TimeUnit.Nanosecond : TimeUnit.Microsecond;
        return parsed.All(p => Timestamps.ToUnit(p, unit, out _, out _)) ? new TimestampType(unit, zoned ? "UTC" : null) : null;
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
