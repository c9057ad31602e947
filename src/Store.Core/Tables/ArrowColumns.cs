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

    /// <summary>The rows <paramref name="rows"/> of <paramref name="array"/>, in that order.</summary>
    public static IArrowArray Take(IArrowArray array, ReadOnlySpan<int> rows) => array switch
    {
        StringArray strings => TableColumn.Of(Gather(rows, i => strings.GetString(i))),
        BooleanArray bools => TableColumn.Of<bool>(Gather(rows, i => bools.GetValue(i))),
        Int8Array a => TakePrimitive(a, rows),
        Int16Array a => TakePrimitive(a, rows),
        Int32Array a => TakePrimitive(a, rows),
        Int64Array a => TakePrimitive(a, rows),
        UInt8Array a => TakePrimitive(a, rows),
        UInt16Array a => TakePrimitive(a, rows),
        UInt32Array a => TakePrimitive(a, rows),
        UInt64Array a => TakePrimitive(a, rows),
        FloatArray a => TakePrimitive(a, rows),
        DoubleArray a => TakePrimitive(a, rows),
        TimestampArray a => TakePrimitive(a, rows),
        _ => throw new SchemaException($"Columns of type {array.Data.DataType.Name} are not supported."),
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

    /// <summary>Whether the store can hold columns of <paramref name="type"/>.</summary>
    public static bool IsSupported(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.String or ArrowTypeId.Boolean or ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32
            or ArrowTypeId.Int64 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64
            or ArrowTypeId.Float or ArrowTypeId.Double or ArrowTypeId.Timestamp => true,
        _ => false,
    };

    /// <summary>Whether two column types are the same (timestamps: same unit and time zone).</summary>
    public static bool SameType(IArrowType a, IArrowType b) =>
        a.TypeId == b.TypeId
        && (a is not TimestampType ta || b is TimestampType tb && ta.Unit == tb.Unit && ta.Timezone == tb.Timezone);

    /// <summary>A short type name for messages: <c>int64</c>, <c>string</c>, <c>timestamp[us, UTC]</c>.</summary>
    public static string Describe(IArrowType type) => type is TimestampType t
        ? $"timestamp[{t.Unit}, {t.Timezone ?? "no zone"}]"
        : type.Name;

    private static IArrowArray TakePrimitive<T>(PrimitiveArray<T> array, ReadOnlySpan<int> rows) where T : struct, IEquatable<T>
    {
        var values = new T[rows.Length];
        var valid = new bool[rows.Length];
        var source = array.Values;
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = source[rows[i]];
            valid[i] = array.IsValid(rows[i]);
        }

        return FromValues<T>(array.Data.DataType, values, valid);
    }

    private static TValue[] Gather<TValue>(ReadOnlySpan<int> rows, Func<int, TValue> get)
    {
        var values = new TValue[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = get(rows[i]);
        }

        return values;
    }
}
