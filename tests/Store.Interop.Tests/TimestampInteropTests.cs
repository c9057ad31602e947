using System.Globalization;
using System.Text.Json;
using Apache.Arrow.Types;
using Parquet;
using Parquet.Schema;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;
using Table = Store.Core.Tables.Table;

namespace Store.Interop.Tests;

/// <summary>
/// Timestamps against DuckDB and apache-arrow, compared as exact integers (DuckDB's <c>epoch_ns</c>,
/// Arrow's raw values), never through a DateTime: files DuckDB writes read with their unit and zone
/// and every digit, on any machine time zone; a read-modify-write keeps them; files the store writes
/// hold the same instants for DuckDB and the same unit, zone and integers for apache-arrow.
/// </summary>
[Trait("TimeZone", "any")]
public class TimestampInteropTests : IDisposable
{
    // Every DuckDB timestamp type, before 1970 with every digit of the unit, after 2038, and null.
    private const string DuckDbRows = """
        SELECT * FROM (VALUES
          (0, TIMESTAMP '1900-01-01 00:00:00.333333', TIMESTAMP_NS '1900-01-01 00:00:00.333333333', TIMESTAMP_MS '1900-01-01 00:00:00.333',
              TIMESTAMP_S '1900-01-01 00:00:00', TIMESTAMPTZ '1900-01-01 00:00:00.333333+00'),
          (1, TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMP_NS '1969-12-31 23:59:59.999999999', TIMESTAMP_MS '1969-12-31 23:59:59.999',
              TIMESTAMP_S '1969-12-31 23:59:59', TIMESTAMPTZ '1969-12-31 23:59:59.999999+00'),
          (2, TIMESTAMP '2038-01-19 03:14:08.000001', TIMESTAMP_NS '2038-01-19 03:14:08.000000001', TIMESTAMP_MS '2038-01-19 03:14:08.001',
              TIMESTAMP_S '2038-01-19 03:14:08', TIMESTAMPTZ '2038-01-19 03:14:08.000001+00'),
          (3, NULL, NULL, NULL, NULL, NULL)
        ) v(id, ts, ns, ms, s, tz)
        """;

    private static readonly string[] DuckDbColumns = ["ts", "ns", "ms", "s", "tz"];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    // Parquet keeps DuckDB's units (it writes TIMESTAMP_S as microseconds) and isAdjustedToUTC; CSV has
    // no units: microseconds, nanoseconds where a cell has more digits, UTC where cells carry an offset.
    [InlineData("parquet", DiskFormat.Parquet, "Microsecond, no zone|Nanosecond, no zone|Millisecond, no zone|Microsecond, no zone|Microsecond, UTC")]
    [InlineData("csv", DiskFormat.Csv, "Microsecond, no zone|Nanosecond, no zone|Microsecond, no zone|Microsecond, no zone|Microsecond, UTC")]
    public void Read_FileWrittenByDuckDb_EqualsDuckDbsEpochNanoseconds(string duckFormat, DiskFormat format, string types)
    {
        WriteWithDuckDb(duckFormat);
        using var store = new TableStore(_temp.Path, "r", format);
        var table = store.Read("x")!;

        Assert.Equal(types.Split('|'), DuckDbColumns.Select(c => TypeOf(table, c)));
        AssertEpochNanoseconds(DuckDbReads(duckFormat), table, DuckDbColumns);

        // Wall-clock values read as written, whatever TZ the process runs under.
        Assert.Equal(DateTime.SpecifyKind(new DateTime(1969, 12, 31, 23, 59, 59).AddTicks(9_999_990), DateTimeKind.Unspecified), table.Values<DateTime>("ts")[1]);
        Assert.Equal(DateTimeKind.Unspecified, table.Values<DateTime>("ts")[1]!.Value.Kind);
        Assert.Equal(new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990), table.Values<DateTime>("tz")[1]);
    }

    [Theory]
    [InlineData("parquet", DiskFormat.Parquet)]
    [InlineData("csv", DiskFormat.Csv)]
    public void ReadModifyWrite_FileWrittenByDuckDb_KeepsEveryDigitAndItsTypes(string duckFormat, DiskFormat format)
    {
        var file = WriteWithDuckDb(duckFormat);
        var schemaBefore = duckFormat == "parquet" ? ParquetTypes(file) : null;
        var original = DuckDbReads(duckFormat);
        using (var store = new TableStore(_temp.Path, "r+", format))
        {
            store.Append("x", store.Read("x", TableView.Rows(0, 3))!);
            store.Flush();
        }

        var seen = DuckDbReads(duckFormat);
        Assert.Equal(
            [.. original.Rows.Select(Texts), .. original.Rows.Take(3).Select(Texts)],
            seen.Rows.Select(Texts));
        if (schemaBefore is not null)
        {
            Assert.Equal(schemaBefore, ParquetTypes(file)); // the row group went in with DuckDB's own units and flags
        }

        using var reopened = new TableStore(_temp.Path, "r", format);
        AssertEpochNanoseconds(seen, reopened.Read("x")!, DuckDbColumns);
    }

    [Theory]
    [InlineData(DiskFormat.Parquet)]
    [InlineData(DiskFormat.Csv)]
    [InlineData(DiskFormat.Json)]
    public void Flush_EveryUnitAndZone_DuckDbReadsTheSameInstants(DiskFormat format)
    {
        var (table, columns) = EveryUnitAndZone();
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Append("x", table);
            store.Flush();
        }

        // Text carries no types: DuckDB is told the columns are nanosecond timestamps, so it parses every digit.
        var types = string.Join(", ", columns.Select(c => $"'{c}': 'TIMESTAMP_NS'"));
        var read = format switch
        {
            DiskFormat.Parquet => $"read_parquet('{_temp.Sub("x.parquet")}/*.parquet')",
            DiskFormat.Csv => $"read_csv('{_temp.Sub("x.csv")}', header = true, types = {{{types}}})",
            _ => $"read_json('{_temp.Sub("x.jsonl")}', format = 'newline_delimited', columns = {{'id': 'BIGINT', {types}}})",
        };
        var seen = Readers.DuckDbSql($"SELECT {EpochNs(columns)} FROM {read} ORDER BY id");
        if (format != DiskFormat.Parquet)
        {
            AssertEpochNanoseconds(seen, table, columns);
        }
        else
        {
            // DuckDB's TIMESTAMP WITH TIME ZONE holds microseconds, so it reads zoned nanosecond columns to the
            // microsecond (its TIMESTAMP_NS holds every digit of those without a zone); the other columns exactly.
            var zonedNanos = columns.Where(c => table.Schema.GetFieldByName(c).DataType is TimestampType { Unit: TimeUnit.Nanosecond, Timezone: not null }).ToList();
            AssertEpochNanoseconds(seen, table, columns, microsecondsOnly: zonedNanos);

            // Parquet's own types: ms for seconds (it has no second unit), adjusted to UTC exactly when zoned.
            var stored = ParquetTypes(Path.Combine(_temp.Sub("x.parquet"), "part-000000.parquet")); // one flush, one part
            foreach (var column in columns)
            {
                var type = (TimestampType)table.Schema.GetFieldByName(column).DataType;
                var unit = type.Unit switch { TimeUnit.Second or TimeUnit.Millisecond => "MILLIS=MilliSeconds()", TimeUnit.Microsecond => "MICROS=MicroSeconds()", _ => "NANOS=NanoSeconds()" };
                Assert.Contains(unit, stored[column]);
                Assert.Contains($"isAdjustedToUTC={(type.Timezone is null ? 0 : 1)}", stored[column]);
            }
        }
    }

    [Fact]
    public void ReadModifyWrite_IpcWrittenByApacheArrow_KeepsEveryUnitZoneAndDigit()
    {
        var (table, columns) = EveryUnitAndZone();
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("x.arrow");
        Readers.ArrowWriteTimestamps(file, columns.Select(c =>
        {
            var type = (TimestampType)table.Schema.GetFieldByName(c).DataType;
            return (c, type.Unit.ToString().ToUpperInvariant(), (string?)type.Timezone, table.Values<long>(c));
        }));

        using (var store = new TableStore(_temp.Path, "r+", DiskFormat.Ipc))
        {
            var read = store.Read("x")!;
            foreach (var column in columns)
            {
                var type = (TimestampType)table.Schema.GetFieldByName(column).DataType;
                Assert.Equal(TypeOf(table, column), TypeOf(read, column));
                Assert.Equal(table.Values<long>(column), read.Values<long>(column));
                Assert.Equal(table.Values<long>(column).Select(v => TestTimestamps.Expected(v, type.Unit, type.Timezone)), read.Values<DateTime>(column));
                Assert.All(read.Values<DateTime>(column).OfType<DateTime>(), t => Assert.Equal(type.Timezone is null ? DateTimeKind.Unspecified : DateTimeKind.Utc, t.Kind));
            }

            store.Append("x", read.Slice(0, 3));
            store.Flush();
        }

        var seen = Readers.ArrowRaw(file);
        foreach (var column in columns)
        {
            var c = seen.Columns.Select(p => p.Name).ToList().IndexOf(column);
            var type = (TimestampType)table.Schema.GetFieldByName(column).DataType;
            var unit = type.Unit.ToString().ToUpperInvariant();
            Assert.Equal(type.Timezone is null ? $"Timestamp<{unit}>" : $"Timestamp<{unit}, {type.Timezone}>", seen.Columns[c].Type);
            long?[] expected = [.. table.Values<long>(column), .. table.Values<long>(column).Take(3)];
            Assert.Equal(expected.Select(v => v?.ToString(CultureInfo.InvariantCulture)), seen.Rows.Select(r => r[c].ValueKind == JsonValueKind.Null ? null : r[c].GetString()));
        }
    }

    [Fact]
    public async Task Read_LegacyInt96AndTimestampMillisParquet_EqualsDuckDbsEpochNanoseconds()
    {
        // The legacy encodings older writers (Impala, Spark, Hive) use: INT96 and the converted type TIMESTAMP_MILLIS.
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("x.parquet");
        var int96 = new DateTimeDataField("int96", DateTimeFormat.Impala, isNullable: true);
        var millis = new DateTimeDataField("millis", DateTimeFormat.DateAndTime, isNullable: true);
        var id = new DataField<int>("id");
        var schema = new ParquetSchema(id, int96, millis);
        DateTime?[] times =
        [
            new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(3_333_330),
            new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_990_000),
            new DateTime(2038, 1, 19, 3, 14, 8, DateTimeKind.Utc).AddTicks(10_000),
            null,
        ];
        await using (var stream = File.Create(file))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(id, new[] { 0, 1, 2, 3 }.AsMemory());
            await group.WriteAsync<DateTime>(int96, times.AsMemory());
            await group.WriteAsync<DateTime>(millis, times.AsMemory());
        }

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        var table = store.Read("x")!;
        Assert.Equal("Nanosecond, no zone", TypeOf(table, "int96"));
        Assert.Equal("Millisecond, UTC", TypeOf(table, "millis"));
        Assert.Equal([-2_208_988_799_666_667_000L, -1_000_000L, 2_147_483_648_001_000_000L, null], table.Values<long>("int96"));
        AssertEpochNanoseconds(Readers.DuckDbSql($"SELECT epoch_ns(int96), epoch_ns(millis) FROM read_parquet('{file}') ORDER BY id"), table, ["int96", "millis"]);
    }

    // A table with an id and one column per unit and zone (UTC, none, Asia/Kolkata), each holding TestTimestamps.Values.
    private static (Table Table, string[] Columns) EveryUnitAndZone()
    {
        var columns = new List<(string, Apache.Arrow.IArrowArray)> { ("id", TableColumn.Of<long>([0L, 1, 2, 3, 4, 5])) };
        foreach (var unit in TestTimestamps.Units)
        {
            foreach (var zone in TestTimestamps.Zones)
            {
                columns.Add(($"{unit}_{zone ?? "none"}".Replace('/', '_').ToLowerInvariant(), TestTimestamps.Column(new TimestampType(unit, zone), TestTimestamps.Values(unit))));
            }
        }

        return (Table.FromColumns([.. columns]), [.. columns.Skip(1).Select(c => c.Item1)]);
    }

    // epoch_ns of each DuckDB column as DuckDB reads the file, in file order. CSV is read with explicit types so every digit
    // counts, and its offsets as written: under a non-UTC TZ DuckDB writes TIMESTAMPTZ as local time with the offset cut to
    // minutes (1900 in Asia/Kolkata is +05:21:10, written "05:21:10.333333+05:21"), so the text, not the query, is what the file holds.
    private ReadResult DuckDbReads(string duckFormat)
    {
        var file = _temp.Sub("x." + duckFormat);
        var read = duckFormat == "parquet"
            ? $"read_parquet('{file}')"
            : $"read_csv('{file}', header = true, types = {{'ts': 'TIMESTAMP_NS', 'ns': 'TIMESTAMP_NS', 'ms': 'TIMESTAMP_NS', 's': 'TIMESTAMP_NS', 'tz': 'TIMESTAMPTZ'}})";
        return Readers.DuckDbSql($"SELECT {EpochNs(DuckDbColumns)} FROM {read}");
    }

    private string WriteWithDuckDb(string duckFormat)
    {
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("x." + duckFormat);
        Readers.DuckDbWrite(DuckDbRows, file, duckFormat);
        return file;
    }

    private static string TypeOf(Table table, string column) =>
        table.Schema.GetFieldByName(column).DataType is TimestampType t ? $"{t.Unit}, {t.Timezone ?? "no zone"}" : "not a timestamp";

    private static string EpochNs(IEnumerable<string> columns) => string.Join(", ", columns.Select(c => $"epoch_ns({c})"));

    private static string?[] Texts(JsonElement[] row) => [.. row.Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString())];

    // DuckDB's view of each Parquet column: physical type and logical type.
    private static Dictionary<string, string> ParquetTypes(string file) =>
        Readers.DuckDbSql($"SELECT name, type || ' ' || coalesce(logical_type, '') FROM parquet_schema('{file}') WHERE type IS NOT NULL")
            .Rows.ToDictionary(r => r[0].GetString()!, r => r[1].GetString()!);

    // The store's raw values, scaled to nanoseconds, against the reader's epoch_ns columns (in the same order as columns).
    // microsecondsOnly: columns the reader holds to the microsecond; their values must lie within a microsecond of the store's.
    private static void AssertEpochNanoseconds(ReadResult seen, Table table, IReadOnlyList<string> columns, IReadOnlyList<string>? microsecondsOnly = null)
    {
        Assert.Equal(table.RowCount, seen.Rows.Count);
        for (var c = 0; c < columns.Count; c++)
        {
            var unit = ((TimestampType)table.Schema.GetFieldByName(columns[c]).DataType).Unit;
            var expected = seen.Rows.Select(r => r[c].ValueKind == JsonValueKind.Null ? null : r[c].GetString()).ToList();
            var actual = table.Values<long>(columns[c]).Select(v => v is { } raw ? (Int128?)((Int128)raw * (1_000_000_000 / TestTimestamps.PerSecond(unit))) : null).ToList();
            if (microsecondsOnly?.Contains(columns[c]) == true)
            {
                Assert.All(expected.Zip(actual), p => Assert.True(
                    p.First is null ? p.Second is null : p.Second is { } a && Int128.Abs(Int128.Parse(p.First, CultureInfo.InvariantCulture) - a) < 1000,
                    $"column {columns[c]}: the reader saw {p.First}, the store holds {p.Second}"));
            }
            else
            {
                Assert.Equal(expected, actual.Select(v => v?.ToString(CultureInfo.InvariantCulture)));
            }
        }
    }
}
