using Apache.Arrow;
using Apache.Arrow.Types;

namespace Store.Core.Tables;

/// <summary>
/// Builds Arrow columns from .NET arrays: strings, bools, every integer width, floats, doubles
/// and timestamps, each with or without nulls. A timestamp column may have any Arrow unit (s, ms,
/// µs, ns) and a zone or none; <see cref="DateTime"/> values build microseconds UTC unless a type is given.
/// </summary>
public static class TableColumn
{
    /// <summary>
    /// The type <c>Of&lt;DateTime&gt;</c> builds: microseconds, UTC (what Parquet writers and DuckDB use
    /// for instants). Columns read from files keep the file's own unit and zone instead.
    /// </summary>
    public static TimestampType TimestampType { get; } = new(TimeUnit.Microsecond, "UTC");

    /// <summary>
    /// A timestamp column of <paramref name="type"/> from raw values: counts of its unit since
    /// 1970-01-01 00:00:00 (UTC for a zoned type, wall clock for one without a zone); null entries are
    /// nulls. This is the exact form — every digit a file holds — that <c>Table.Values&lt;long&gt;</c> gives back.
    /// </summary>
    public static IArrowArray Timestamps(TimestampType type, IReadOnlyList<long?> values)
    {
        var data = new long[values.Count];
        var valid = new bool[values.Count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = values[i].GetValueOrDefault();
            valid[i] = values[i].HasValue;
        }

        return ArrowColumns.FromValues<long>(type, data, valid);
    }

    /// <summary>
    /// A timestamp column of <paramref name="type"/> from <see cref="DateTime"/> values (nulls are nulls).
    /// For a zoned type a Local value is converted to UTC and other kinds are taken as UTC; for a type
    /// without a zone each value's wall clock is kept as it is. Ticks finer than the unit go to the earlier unit.
    /// </summary>
    /// <exception cref="SchemaException">A value outside the unit's range (nanoseconds: years 1677 to 2262).</exception>
    public static IArrowArray Of(TimestampType type, IReadOnlyList<DateTime?> values) =>
        Timestamps(type, values.Select(v => v is { } time ? Store.Core.Tables.Timestamps.FromDateTime(time, type) : (long?)null).ToArray());

    /// <summary>A column of numbers without nulls (sbyte … ulong, float, double).</summary>
    public static IArrowArray Of<T>(ReadOnlySpan<T> values) where T : struct
    {
        if (typeof(T) != typeof(bool) && typeof(T) != typeof(DateTime))
        {
            return ArrowColumns.FromDense(ArrowColumns.TypeOf<T>(), values.Length, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        }

        var nullable = new T?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            nullable[i] = values[i];
        }

        return Of<T>(nullable);
    }

    /// <summary>A column of numbers, bools or timestamps (DateTime: microseconds, UTC) where null entries are nulls.</summary>
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

                return boolBuilder.Build(ManagedArrowMemory.Instance);
            case IReadOnlyList<DateTime?> times:
                return Of(TimestampType, times);
        }

        var type = ArrowColumns.TypeOf<T>();
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

    /// <summary>A column of UTC timestamps (microseconds) without nulls.</summary>
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

        return builder.Build(ManagedArrowMemory.Instance);
    }
}
