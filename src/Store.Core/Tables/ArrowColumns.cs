using Apache.Arrow;
using Apache.Arrow.Types;

namespace Store.Core.Tables;

/// <summary>Column operations Arrow's C# library lacks: build from values, take rows, concatenate, name types.</summary>
internal static class ArrowColumns
{
    /// <summary>
    /// The index of the column named exactly <paramref name="name"/> (ordinal), or -1. Arrow's own
    /// <c>Schema.GetFieldIndex</c> compares names by the current culture, which costs an ICU hash
    /// per call (a query scan calls it per piece) and can equate names that differ.
    /// </summary>
    public static int IndexOfColumn(this Schema schema, string name)
    {
        var fields = schema.FieldsList;
        for (var c = 0; c < fields.Count; c++)
        {
            if (string.Equals(fields[c].Name, name, StringComparison.Ordinal))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>The bytes a column's values take (a slice counts only its own rows), plus its validity bitmap.</summary>
    public static long BytesOf(IArrowArray array)
    {
        long values = array switch
        {
            StringArray strings when strings.Length > 0 => ((strings.Length + 1L) * sizeof(int)) + strings.ValueOffsets[strings.Length] - strings.ValueOffsets[0],
            StringArray => sizeof(int),
            BooleanArray => (array.Length + 7L) / 8,
            _ when array.Data.DataType is FixedWidthType fixedWidth => (long)array.Length * fixedWidth.BitWidth / 8,
            _ => array.Data.Buffers.Sum(b => (long)b.Length),
        };
        return values + (array.NullCount > 0 ? (array.Length + 7L) / 8 : 0);
    }

    /// <summary>The column named exactly <paramref name="name"/> (see <see cref="IndexOfColumn"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such column.</exception>
    public static Field ColumnNamed(this Schema schema, string name) => schema.FieldsList[schema.IndexOfColumn(name)];

    // How Describe names a timestamp without a zone.
    private const string NoZone = "no zone";

    // Every other supported type, by the name Describe gives it.
    private static readonly Dictionary<string, IArrowType> Described = new IArrowType[]
    {
        StringType.Default, BooleanType.Default, Int8Type.Default, Int16Type.Default, Int32Type.Default, Int64Type.Default,
        UInt8Type.Default, UInt16Type.Default, UInt32Type.Default, UInt64Type.Default, FloatType.Default, DoubleType.Default,
    }.ToDictionary(t => t.Name);

    /// <summary>A column of <paramref name="type"/> from nullable values: one block copy when none is null, else values and a validity bitmap.</summary>
    public static IArrowArray FromNullable<T>(IArrowType type, ReadOnlySpan<T?> values) where T : struct
    {
        // The values are written straight into the buffer Arrow keeps (one allocation, no copy after).
        var buffer = new byte[values.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        var data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(buffer.AsSpan());
        var nulls = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } value)
            {
                data[i] = value;
            }
            else
            {
                nulls++;
            }
        }

        var bytes = new ArrowBuffer(buffer);
        if (nulls == 0)
        {
            return ArrowArrayFactory.BuildArray(new ArrayData(type, values.Length, 0, 0, [ArrowBuffer.Empty, bytes]));
        }

        var validity = new ArrowBuffer.BitmapBuilder(values.Length);
        foreach (var value in values)
        {
            validity.Append(value.HasValue);
        }

        return ArrowArrayFactory.BuildArray(new ArrayData(type, values.Length, nulls, 0, [validity.Build(ManagedArrowMemory.Instance), bytes]));
    }

    /// <summary>A string column of <paramref name="count"/> rows, each <paramref name="value"/> (a column the file's statistics say is constant).</summary>
    public static StringArray Repeated(string value, int count)
    {
        var one = System.Text.Encoding.UTF8.GetBytes(value);
        var offsetBytes = GC.AllocateUninitializedArray<byte>((count + 1) * sizeof(int));
        var offsets = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());
        var bytes = GC.AllocateUninitializedArray<byte>(checked(one.Length * count));
        for (var i = 0; i < count; i++)
        {
            offsets[i] = i * one.Length;
            one.CopyTo(bytes.AsSpan(i * one.Length));
        }

        offsets[count] = bytes.Length;
        return new StringArray(count, new ArrowBuffer(offsetBytes), new ArrowBuffer(bytes), ArrowBuffer.Empty, 0);
    }

    /// <summary>
    /// A string column from .NET strings (null: a null). A value that is the same instance as the one
    /// before it (what a dictionary-encoded Parquet column decodes to) is copied as the bytes already
    /// encoded rather than encoded again.
    /// </summary>
    public static StringArray FromStrings(ReadOnlySpan<string?> values)
    {
        var offsetBytes = new byte[(values.Length + 1) * sizeof(int)];
        var offsets = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());
        var bytes = new byte[Math.Max(16, values.Length * 8)];
        var validity = new ArrowBuffer.BitmapBuilder(values.Length);
        int used = 0, nulls = 0;
        string? last = null;
        int lastStart = 0, lastLength = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            validity.Append(value is not null);
            if (value is null)
            {
                nulls++;
            }
            else if (ReferenceEquals(value, last))
            {
                Grow(ref bytes, used + lastLength);
                bytes.AsSpan(lastStart, lastLength).CopyTo(bytes.AsSpan(used));
                used += lastLength;
            }
            else
            {
                Grow(ref bytes, used + System.Text.Encoding.UTF8.GetMaxByteCount(value.Length));
                var length = System.Text.Encoding.UTF8.GetBytes(value, bytes.AsSpan(used));
                (last, lastStart, lastLength) = (value, used, length);
                used += length;
            }

            offsets[i + 1] = used;
        }

        return new StringArray(
            values.Length,
            new ArrowBuffer(offsetBytes),
            new ArrowBuffer(bytes.AsMemory(0, used)),
            nulls == 0 ? ArrowBuffer.Empty : validity.Build(ManagedArrowMemory.Instance),
            nulls);

        static void Grow(ref byte[] buffer, int needed)
        {
            if (needed > buffer.Length)
            {
                System.Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
            }
        }
    }

    /// <summary>The Arrow type of a number type: sbyte … ulong, float, double.</summary>
    /// <exception cref="SchemaException">Another type.</exception>
    public static IArrowType TypeOf<T>() => NumberTypeOf(typeof(T))
        ?? throw new SchemaException($"Columns of {typeof(T).Name} are not supported; use string, bool, integers, float, double or DateTime.");

    /// <summary>The Arrow type of a .NET number type (sbyte … ulong, float, double), or null for any other type.</summary>
    public static IArrowType? NumberTypeOf(Type type) => type switch
    {
        var t when t == typeof(sbyte) => Int8Type.Default,
        var t when t == typeof(short) => Int16Type.Default,
        var t when t == typeof(int) => Int32Type.Default,
        var t when t == typeof(long) => Int64Type.Default,
        var t when t == typeof(byte) => UInt8Type.Default,
        var t when t == typeof(ushort) => UInt16Type.Default,
        var t when t == typeof(uint) => UInt32Type.Default,
        var t when t == typeof(ulong) => UInt64Type.Default,
        var t when t == typeof(float) => FloatType.Default,
        var t when t == typeof(double) => DoubleType.Default,
        _ => null,
    };

    /// <summary>A column of <paramref name="length"/> fixed-width values of <paramref name="type"/> without nulls, from their bytes (copied as one block).</summary>
    public static IArrowArray FromDense(IArrowType type, int length, ReadOnlySpan<byte> bytes) =>
        ArrowArrayFactory.BuildArray(new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(bytes.ToArray())]));

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

        var buffers = new[] { nulls == 0 ? ArrowBuffer.Empty : validity.Build(ManagedArrowMemory.Instance), data.Build(ManagedArrowMemory.Instance) };
        return ArrowArrayFactory.BuildArray(new ArrayData(type, values.Length, nulls, 0, buffers));
    }

    /// <summary>The listed rows of each piece, in order, as one column of <paramref name="type"/>.</summary>
    public static IArrowArray Take(IReadOnlyList<(IArrowArray Array, int[] Rows)> pieces, IArrowType type) => type switch
    {
        StringType => TakeStrings(pieces),
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

    // The rows' UTF-8 bytes copied as they are (no .NET string per row).
    private static StringArray TakeStrings(IReadOnlyList<(IArrowArray Array, int[] Rows)> pieces)
    {
        var rows = pieces.Sum(p => p.Rows.Length);
        long size = 0;
        foreach (var (array, picked) in pieces)
        {
            var offsets = ((StringArray)array).ValueOffsets;
            foreach (var r in picked)
            {
                size += offsets[r + 1] - offsets[r];
            }
        }

        var offsetBytes = new byte[(rows + 1) * sizeof(int)];
        var ends = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());
        var bytes = new byte[checked((int)size)];
        var validity = new ArrowBuffer.BitmapBuilder(rows);
        int n = 0, used = 0, nulls = 0;
        foreach (var (array, picked) in pieces)
        {
            var strings = (StringArray)array;
            var offsets = strings.ValueOffsets;
            var values = strings.Values;
            foreach (var r in picked)
            {
                var valid = strings.IsValid(r);
                validity.Append(valid);
                nulls += valid ? 0 : 1;
                var value = values[offsets[r]..offsets[r + 1]];
                value.CopyTo(bytes.AsSpan(used));
                used += value.Length;
                ends[++n] = used;
            }
        }

        return new StringArray(rows, new ArrowBuffer(offsetBytes), new ArrowBuffer(bytes), nulls == 0 ? ArrowBuffer.Empty : validity.Build(ManagedArrowMemory.Instance), nulls);
    }

    /// <summary>One column holding the pieces one after another.</summary>
    public static IArrowArray Concat(IReadOnlyList<IArrowArray> pieces, IArrowType type) =>
        pieces.Count switch
        {
            0 => EmptyOf(type),
            1 => pieces[0],
            _ => ArrowArrayConcatenator.Concatenate(pieces, ManagedArrowMemory.Instance),
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

    /// <summary>Whether two column types are the same (timestamps: same unit and time zone, an empty zone being no zone; times of day: same unit).</summary>
    public static bool SameType(IArrowType a, IArrowType b) =>
        a.TypeId == b.TypeId
        && (a is not TimestampType ta || b is TimestampType tb && ta.Unit == tb.Unit && ZoneOf(ta) == ZoneOf(tb))
        && (a is not TimeType ti || b is TimeType tj && ti.Unit == tj.Unit);

    /// <summary>
    /// A short type name for messages and the CSV/JSON lines sidecar: <c>int64</c>, <c>utf8</c>,
    /// <c>timestamp[Microsecond, UTC]</c>, <c>timestamp[Nanosecond, no zone]</c>, <c>time64[us]</c>;
    /// <see cref="FromDescription"/> reads timestamps back.
    /// </summary>
    public static string Describe(IArrowType type) => type switch
    {
        TimestampType t => $"timestamp[{t.Unit}, {ZoneOf(t) ?? NoZone}]",
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

    /// <summary>
    /// The type a <see cref="Describe"/> name stands for (every supported type; timestamps of any unit
    /// and zone), or null for a name it never gives.
    /// </summary>
    public static IArrowType? FromDescription(string name)
    {
        if (Described.TryGetValue(name, out var type))
        {
            return type;
        }

        const string prefix = "timestamp[";
        var comma = name.IndexOf(", ", StringComparison.Ordinal);
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(']') || comma < 0
            || Enum.GetNames<TimeUnit>().FirstOrDefault(n => n == name[prefix.Length..comma]) is not { } unitName)
        {
            return null;
        }

        var unit = Enum.Parse<TimeUnit>(unitName);

        var zone = name[(comma + 2)..^1];
        return zone.Length == 0 ? null : new TimestampType(unit, zone == NoZone ? null : zone);
    }

    private static string? ZoneOf(TimestampType type) => string.IsNullOrEmpty(type.Timezone) ? null : type.Timezone;

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
