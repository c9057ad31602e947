using Apache.Arrow;
using Apache.Arrow.Types;

namespace Store.Core.Tables;

/// <summary>Column operations Arrow's C# library lacks: build from values, take rows, concatenate, name types.</summary>
internal static class ArrowColumns
{
    /// <summary>A fixed-width column of <paramref name="type"/> from values and a validity flag per row.</summary>
    public static IArrowArray FromValues<T>(IArrowType type, ReadOnlySpan<T> values, ReadOnlySpan<bool> valid) where T : struct
    {
        var data = new ArrowBuffer.Builder<T>(values.Length);
        var validity = new ArrowBuffer.BitmapBuilder(values.Length);
        var nulls = 0;
        for (var i = 0; i < values.Length; i++)
        {
            data.Append(values[i]);
            validity.Append(valid[i]);
            nulls += valid[i] ? 0 : 1;
        }

        var buffers = new[] { nulls == 0 ? ArrowBuffer.Empty : validity.Build(), data.Build() };
        return ArrowArrayFactory.BuildArray(new ArrayData(type, values.Length, nulls, 0, buffers));
    }

    /// <summary>The listed rows of each piece, in order, as one column of <paramref name="type"/>.</summary>
    public static IArrowArray Take(IReadOnlyList<(IArrowArray Array, int[] Rows)> pieces, IArrowType type) => type switch
    {
        StringType => TableColumn.Of(Gather(pieces, (a, r) => ((StringArray)a).GetString(r))),
        BooleanType => TableColumn.Of<bool>(Gather(pieces, (a, r) => ((BooleanArray)a).GetValue(r))),
        Int8Type => TakePrimitive<sbyte>(pieces, type),
        Int16Type => TakePrimitive<short>(pieces, type),
        Int32Type => TakePrimitive<int>(pieces, type),
        Int64Type or TimestampType or Date64Type or Time64Type => TakePrimitive<long>(pieces, type),
        Date32Type or Time32Type => TakePrimitive<int>(pieces, type),
        UInt8Type => TakePrimitive<byte>(pieces, type),
        UInt16Type => TakePrimitive<ushort>(pieces, type),
        UInt32Type => TakePrimitive<uint>(pieces, type),
        UInt64Type => TakePrimitive<ulong>(pieces, type),
        FloatType => TakePrimitive<float>(pieces, type),
        DoubleType => TakePrimitive<double>(pieces, type),
        _ => throw new SchemaException($"Columns of type {type.Name} are not supported."),
    };

    /// <summary>One column holding the pieces one after another.</summary>
    public static IArrowArray Concat(IReadOnlyList<IArrowArray> pieces, IArrowType type) =>
        pieces.Count switch
        {
            0 => EmptyOf(type),
            1 => pieces[0],
            _ => ArrowArrayConcatenator.Concatenate(pieces),
        };

    /// <summary>An empty column of <paramref name="type"/>.</summary>
    public static IArrowArray EmptyOf(IArrowType type) => type switch
    {
        StringType => TableColumn.Of(System.Array.Empty<string?>()),
        BooleanType => TableColumn.Of<bool>(System.Array.Empty<bool?>()),
        _ => ArrowArrayFactory.BuildArray(new ArrayData(type, 0, 0, 0, [ArrowBuffer.Empty, ArrowBuffer.Empty])),
    };

    /// <summary>
    /// Whether the store can hold columns of <paramref name="type"/>. Dates (<c>date32</c>, <c>date64</c>)
    /// and times of day (<c>time32</c>, <c>time64</c>, any unit) are held as Arrow has them, so an Arrow
    /// IPC file keeps them exactly; formats that cannot carry them refuse them (<see cref="IsDateOrTime"/>).
    /// </summary>
    public static bool IsSupported(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.String or ArrowTypeId.Boolean or ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32
            or ArrowTypeId.Int64 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64
            or ArrowTypeId.Float or ArrowTypeId.Double or ArrowTypeId.Timestamp => true,
        _ => IsDateOrTime(type),
    };

    /// <summary>Whether <paramref name="type"/> is a date or a time of day (held, but only Arrow IPC files carry it).</summary>
    public static bool IsDateOrTime(IArrowType type) =>
        type.TypeId is ArrowTypeId.Date32 or ArrowTypeId.Date64 or ArrowTypeId.Time32 or ArrowTypeId.Time64;

    /// <summary>Whether <paramref name="type"/> holds numbers (integers of any width, float, double).</summary>
    public static bool IsNumeric(IArrowType type) => type.TypeId is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32
        or ArrowTypeId.Int64 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64
        or ArrowTypeId.Float or ArrowTypeId.Double;

    /// <summary>Whether two column types are the same (timestamps: same unit and time zone; times of day: same unit).</summary>
    public static bool SameType(IArrowType a, IArrowType b) =>
        a.TypeId == b.TypeId
        && (a is not TimestampType ta || b is TimestampType tb && ta.Unit == tb.Unit && ta.Timezone == tb.Timezone)
        && (a is not TimeType ti || b is TimeType tj && ti.Unit == tj.Unit);

    /// <summary>A short type name for messages: <c>int64</c>, <c>string</c>, <c>timestamp[us, UTC]</c>, <c>time64[us]</c>.</summary>
    public static string Describe(IArrowType type) => type switch
    {
        TimestampType t => $"timestamp[{t.Unit}, {t.Timezone ?? "no zone"}]",
        TimeType t => $"{type.Name}[{Unit(t.Unit)}]",
        _ => type.Name,
    };

    private static string Unit(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        _ => "ns",
    };

    private static IArrowArray TakePrimitive<T>(IReadOnlyList<(IArrowArray Array, int[] Rows)> pieces, IArrowType type) where T : struct, IEquatable<T>
    {
        var total = pieces.Sum(p => p.Rows.Length);
        var values = new T[total];
        var valid = new bool[total];
        var n = 0;
        foreach (var (array, rows) in pieces)
        {
            var primitive = (PrimitiveArray<T>)array;
            var source = primitive.Values;
            foreach (var row in rows)
            {
                values[n] = source[row];
                valid[n++] = primitive.IsValid(row);
            }
        }

        return FromValues<T>(type, values, valid);
    }

    private static TValue[] Gather<TValue>(IReadOnlyList<(IArrowArray Array, int[] Rows)> pieces, Func<IArrowArray, int, TValue> get)
    {
        var values = new TValue[pieces.Sum(p => p.Rows.Length)];
        var n = 0;
        foreach (var (array, rows) in pieces)
        {
            foreach (var row in rows)
            {
                values[n++] = get(array, row);
            }
        }

        return values;
    }
}
