using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Parquet;
using Parquet.File.Values.Primitives;
using Parquet.Schema;
using Store.Core.Tables;
using ArrowSchema = Apache.Arrow.Schema;
using TimeUnit = Apache.Arrow.Types.TimeUnit;

namespace Store.Core.Formats.Parquet;

/// <summary>
/// Parquet timestamp columns read and written as the integers they are, never through
/// <see cref="DateTime"/>: Parquet.Net's typed API marks timestamps without a zone as
/// <see cref="DateTimeKind.Local"/> (so they would move by the machine's UTC offset), keeps only
/// 100 ns ticks and rounds pre-1970 nanoseconds toward 1970. Here INT64 timestamps are read raw in
/// the unit the file declares (ms, µs, ns; <c>isAdjustedToUTC</c> gives zone "UTC" or none), legacy
/// INT96 ones exactly as nanoseconds without a zone (as Arrow and DuckDB read them), and written
/// back with the column's unit and adjusted-to-UTC flag. Parquet has no second unit and no zone names:
/// such columns are written as milliseconds / adjusted to UTC, and the store records their Arrow type
/// in the file's key-value metadata (<see cref="MetadataKey"/>) to read them back as they were.
/// </summary>
internal static class ParquetTimestamps
{
    /// <summary>The file metadata key holding <c>{column: type}</c> for timestamp columns Parquet's own types cannot express.</summary>
    public const string MetadataKey = "store.timestamps";

    private const string Utc = "UTC";

    private const long JulianDayOf1970 = 2_440_588;

    /// <summary>Whether the store reads <paramref name="field"/> as a raw timestamp (not a DATE, which goes through Parquet.Net).</summary>
    public static bool IsTimestamp(DataField field) => field is DateTimeDataField { DateTimeFormat: not DateTimeFormat.Date };

    /// <summary>
    /// The Arrow type of a Parquet timestamp column: its unit and zone, or the type the store recorded
    /// for it in <paramref name="metadata"/> when that is what the file's type stands for.
    /// </summary>
    /// <exception cref="CorruptDataException">The store's metadata entry cannot be read.</exception>
    public static TimestampType ArrowTypeOf(DateTimeDataField field, IReadOnlyDictionary<string, string> metadata, string file)
    {
        var stored = field.DateTimeFormat switch
        {
            DateTimeFormat.Timestamp => new TimestampType(
                field.Unit switch
                {
                    DateTimeTimeUnit.Millis => TimeUnit.Millisecond,
                    DateTimeTimeUnit.Micros => TimeUnit.Microsecond,
                    _ => TimeUnit.Nanosecond,
                },
                field.IsAdjustedToUTC ? Utc : null),
            // The legacy converted types TIMESTAMP_MILLIS / TIMESTAMP_MICROS are instants (adjusted to UTC).
            DateTimeFormat.DateAndTime => new TimestampType(TimeUnit.Millisecond, Utc),
            DateTimeFormat.DateAndTimeMicros => new TimestampType(TimeUnit.Microsecond, Utc),
            _ => new TimestampType(TimeUnit.Nanosecond, (string?)null), // INT96: nanoseconds, no zone
        };

        return Recorded(metadata, file).TryGetValue(field.Name, out var recorded) && field.DateTimeFormat == DateTimeFormat.Timestamp
            && SameStored(recorded, field)
            ? recorded
            : stored;
    }

    /// <summary>The Parquet field the store writes for a timestamp column of <paramref name="type"/>.</summary>
    public static DateTimeDataField FieldFor(string name, TimestampType type, bool optional) =>
        new(name, DateTimeFormat.Timestamp, isAdjustedToUTC: Timestamps.IsZoned(type), unit: UnitFor(type), isNullable: optional);

    /// <summary>Whether a file's timestamp field stores values exactly as the store writes <paramref name="type"/> (so row groups can be added to it).</summary>
    public static bool SameStored(TimestampType type, DataField field) =>
        field is DateTimeDataField { DateTimeFormat: DateTimeFormat.Timestamp } stored
        && stored.Unit == UnitFor(type)
        && stored.IsAdjustedToUTC == Timestamps.IsZoned(type);

    /// <summary>The metadata entry recording the types of <paramref name="schema"/>'s timestamp columns that Parquet cannot express, or null when there are none.</summary>
    public static KeyValuePair<string, string>? MetadataFor(ArrowSchema schema)
    {
        var special = schema.FieldsList
            .Where(f => f.DataType is TimestampType t && (t.Unit == TimeUnit.Second || (Timestamps.IsZoned(t) && t.Timezone != Utc)))
            .ToDictionary(f => f.Name, f => ArrowColumns.Describe(f.DataType));
        return special.Count == 0 ? null : new(MetadataKey, JsonSerializer.Serialize(special));
    }

    /// <summary>A timestamp column of <paramref name="type"/> from a row group, every digit as stored.</summary>
    /// <exception cref="CorruptDataException">A column recorded as seconds holding sub-second values.</exception>
    public static async Task<IArrowArray> ReadAsync(ParquetRowGroupReader group, DateTimeDataField field, TimestampType type, int rows, string file)
    {
        var values = new long?[rows];
        if (field.DateTimeFormat == DateTimeFormat.Impala)
        {
            // INT96: 8 bytes of nanoseconds in the day, then a 4-byte Julian day; read as three ints (Parquet.Net's 12-byte Interval) and reassembled.
            var stamps = await ReadRawAsync<Interval>(group, field, rows);
            for (var i = 0; i < rows; i++)
            {
                if (stamps[i] is { } s)
                {
                    var nanosOfDay = unchecked((long)(uint)s.Months | ((long)s.Days << 32));
                    var nanos = ((Int128)(s.Millis - JulianDayOf1970) * 86_400 * Timestamps.NanosPerSecond) + nanosOfDay;
                    values[i] = nanos >= long.MinValue && nanos <= long.MaxValue
                        ? (long)nanos
                        : throw new CorruptDataException(
                            $"{file}: column '{field.Name}' row {i} holds the INT96 timestamp (Julian day {s.Millis}, {nanosOfDay} ns), outside nanoseconds' years 1677 to 2262.", file);
                }
            }
        }
        else
        {
            values = await ReadRawAsync<long>(group, field, rows);
        }

        if (type.Unit == TimeUnit.Second)
        {
            for (var i = 0; i < rows; i++)
            {
                if (values[i] is { } ms)
                {
                    values[i] = ms % 1000 == 0
                        ? ms / 1000
                        : throw new CorruptDataException(
                            $"{file}: column '{field.Name}' is recorded ({MetadataKey}) as {ArrowColumns.Describe(type)}, but holds {ms} ms; expected whole seconds.", file);
                }
            }
        }

        return TableColumn.Timestamps(type, values);
    }

    /// <summary>
    /// Whether row groups of <paramref name="schema"/>'s timestamp columns can be added to a file whose
    /// schema is <paramref name="stored"/>: same unit and adjusted-to-UTC flag, and for columns Parquet
    /// cannot express, the same record in the file's metadata. Otherwise the file is rewritten whole.
    /// </summary>
    public static async Task<bool> CanAppendAsync(string file, ArrowSchema schema, ParquetSchema stored)
    {
        var fields = stored.GetDataFields();
        var columns = schema.FieldsList.Select((f, c) => (Type: f.DataType as TimestampType, Column: c)).Where(p => p.Type is not null).ToList();
        if (columns.Count == 0)
        {
            return true;
        }

        if (!columns.All(p => SameStored(p.Type!, fields[p.Column])))
        {
            return false;
        }

        await using var stream = new SyncReadFileStream(file);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var recorded = Recorded(reader.CustomMetadata, file);
        var wanted = MetadataFor(schema) is { } entry ? JsonSerializer.Deserialize<Dictionary<string, string>>(entry.Value)! : [];
        return recorded.Count == wanted.Count
            && wanted.All(w => recorded.TryGetValue(w.Key, out var type) && ArrowColumns.Describe(type) == w.Value);
    }

    /// <summary>Writes a timestamp column's raw values in the unit <see cref="FieldFor"/> declares (seconds as milliseconds).</summary>
    /// <exception cref="SchemaException">A value in seconds too large for milliseconds.</exception>
    public static Task WriteAsync(ParquetRowGroupWriter group, DataField field, TimestampType type, IReadOnlyList<IArrowArray> pieces, int rows)
    {
        var scale = type.Unit == TimeUnit.Second ? 1000 : 1;
        var raw = Raw<long>(field);
        if (!field.IsNullable)
        {
            var plain = new long[rows];
            var at = 0;
            foreach (var piece in pieces.Cast<TimestampArray>())
            {
                foreach (var value in piece.Values)
                {
                    plain[at++] = Scale(value, scale, field, type);
                }
            }

            return group.WriteAsync<long>(raw, plain.AsMemory());
        }

        var values = new long?[rows];
        var offset = 0;
        foreach (var piece in pieces.Cast<TimestampArray>())
        {
            var source = piece.Values;
            for (var i = 0; i < source.Length; i++)
            {
                values[offset + i] = piece.IsValid(i) ? Scale(source[i], scale, field, type) : null;
            }

            offset += source.Length;
        }

        return group.WriteAsync<long>(raw, values.AsMemory());
    }

    private static async Task<T?[]> ReadRawAsync<T>(ParquetRowGroupReader group, DataField field, int rows) where T : struct
    {
        var raw = Raw<T>(field);
        var values = new T?[rows];
        if (field.IsNullable)
        {
            await group.ReadAsync<T>(raw, values.AsMemory());
            return values;
        }

        var plain = new T[rows];
        await group.ReadAsync<T>(raw, plain.AsMemory());
        for (var i = 0; i < rows; i++)
        {
            values[i] = plain[i];
        }

        return values;
    }

    private static long Scale(long value, int scale, DataField field, TimestampType type)
    {
        try
        {
            return checked(value * scale);
        }
        catch (OverflowException)
        {
            throw new SchemaException($"Column '{field.Name}' ({ArrowColumns.Describe(type)}) holds {value}, which Parquet's millisecond unit cannot hold.");
        }
    }

    private static DateTimeTimeUnit UnitFor(TimestampType type) => type.Unit switch
    {
        TimeUnit.Second or TimeUnit.Millisecond => DateTimeTimeUnit.Millis,
        TimeUnit.Microsecond => DateTimeTimeUnit.Micros,
        _ => DateTimeTimeUnit.Nanos,
    };

    // A field for the same column with the physical value type, so Parquet.Net reads and writes the
    // stored integers as they are (it decodes by the value type, and locates the column by its path).
    private static DataField Raw<T>(DataField field)
    {
        var raw = new DataField(field.Name, typeof(T), field.IsNullable);
        _ = new ParquetSchema(raw); // attaches it: definition levels as the file's flat column has them
        return raw;
    }

    private static Dictionary<string, TimestampType> Recorded(IReadOnlyDictionary<string, string> metadata, string file)
    {
        var recorded = new Dictionary<string, TimestampType>(StringComparer.Ordinal);
        if (!metadata.TryGetValue(MetadataKey, out var json))
        {
            return recorded;
        }

        try
        {
            foreach (var (name, described) in JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [])
            {
                recorded[name] = ArrowColumns.FromDescription(described) as TimestampType
                    ?? throw new FormatException($"'{described}' is not a timestamp type");
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new CorruptDataException(
                $"{file}: the key-value metadata '{MetadataKey}' is not a store record ({e.Message}); expected {{\"column\": \"timestamp[Second, UTC]\", ...}}.", file, e);
        }

        return recorded;
    }
}
