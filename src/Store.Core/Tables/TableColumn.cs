using Apache.Arrow;
using Apache.Arrow.Types;

namespace Store.Core.Tables;

/// <summary>
/// Builds Arrow columns from .NET arrays: strings, bools, every integer width, floats, doubles
/// and UTC timestamps (microseconds), each with or without nulls.
/// </summary>
public static class TableColumn
{
    /// <summary>The timestamp type every timestamp column uses: microseconds, UTC (as Parquet and DuckDB store them).</summary>
    public static TimestampType TimestampType { get; } = new(TimeUnit.Microsecond, "UTC");

    /// <summary>A column of numbers without nulls (sbyte … ulong, float, double).</summary>
    public static IArrowArray Of<T>(ReadOnlySpan<T> values) where T : struct
    {
        var nullable = new T?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            nullable[i] = values[i];
        }

        return Of<T>(nullable);
    }

    /// <summary>A column of numbers or bools where null entries are nulls.</summary>
    public static IArrowArray Of<T>(IReadOnlyList<T?> values) where T : struct
    {
        switch (values)
        {
            case IReadOnlyList<bool?> bools:
                var boolBuilder = new BooleanArray.Builder();
                foreach (var value in bools)
                {
                    if (value is { } b)
                    {
                        boolBuilder.Append(b);
                    }
                    else
                    {
                        boolBuilder.AppendNull();
                    }
                }

                return boolBuilder.Build();
            case IReadOnlyList<DateTime?> times:
                var timeBuilder = new TimestampArray.Builder(TimestampType);
                foreach (var value in times)
                {
                    if (value is { } time)
                    {
                        timeBuilder.Append(new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime()));
                    }
                    else
                    {
                        timeBuilder.AppendNull();
                    }
                }

                return timeBuilder.Build();
        }

        var type = ArrowTypeOf<T>();
        var data = new T[values.Count];
        var valid = new bool[values.Count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = values[i].GetValueOrDefault();
            valid[i] = values[i].HasValue;
        }

        return ArrowColumns.FromValues<T>(type, data, valid);
    }

    /// <summary>A column of bools without nulls.</summary>
    public static IArrowArray Of(IReadOnlyList<bool> values) => Of<bool>(values.Select(v => (bool?)v).ToArray());

    /// <summary>A column of UTC timestamps without nulls.</summary>
    public static IArrowArray Of(IReadOnlyList<DateTime> values) => Of<DateTime>(values.Select(v => (DateTime?)v).ToArray());

    /// <summary>A column of strings where null entries are nulls.</summary>
    public static IArrowArray Of(IReadOnlyList<string?> values)
    {
        var builder = new StringArray.Builder();
        foreach (var value in values)
        {
            if (value is null)
            {
                builder.AppendNull();
            }
            else
            {
                builder.Append(value);
            }
        }

        return builder.Build();
    }

    private static IArrowType ArrowTypeOf<T>() => typeof(T) switch
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
        _ => throw new SchemaException($"Columns of {typeof(T).Name} are not supported; use string, bool, integers, float, double or DateTime."),
    };
}
