using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;
using Table = Store.Core.Tables.Table;

namespace Store.Interop.Tests;

/// <summary>
/// Every table the store writes opens in DuckDB (and Arrow IPC in apache-arrow) with the same rows: CSV and
/// JSON lines files, Parquet and IPC folders of parts; files DuckDB writes read back equal.
/// </summary>
[Trait("TimeZone", "any")]
public class TableInteropTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // DuckDB's type for each column of TestTables.AllTypes, by format. Text formats carry no types:
    // DuckDB sniffs them, so integers may come back as any integer type ("INT*") and uint64 values
    // past the int64 range as DOUBLE ("*"). The UTC timestamps end in Z: DuckDB sniffs TIMESTAMP WITH
    // TIME ZONE from CSV and TIMESTAMP (the same instants) from JSON's RFC 3339 strings.
    public static TheoryData<DiskFormat, string, string[]> Formats => new()
    {
        { DiskFormat.Parquet, "parquet", ["VARCHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "TIMESTAMP WITH TIME ZONE"] },
        { DiskFormat.Csv, "csv", ["VARCHAR", "BOOLEAN", "INT*", "INT*", "INT*", "INT*", "INT*", "INT*", "INT*", "*", "DOUBLE", "DOUBLE", "TIMESTAMP WITH TIME ZONE"] },
        { DiskFormat.Json, "json", ["VARCHAR", "BOOLEAN", "INT*", "INT*", "INT*", "INT*", "INT*", "INT*", "INT*", "*", "DOUBLE", "DOUBLE", "TIMESTAMP"] },
    };

    private static readonly string[] IntegerTypes = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Flush_EveryColumnType_DuckDbReadsSameRowsAndTypes(DiskFormat format, string duckFormat, string[] types)
    {
        var expected = WriteInTwoFlushes(format);
        ReadResult seen;
        if (format == DiskFormat.Parquet)
        {
            // A Parquet table is a folder of parts, one per flush. DuckDB may return the files' rows in any
            // order: put them in the table's order, the parts by name and each part's rows by their number.
            var folder = _temp.Sub("energies.parquet");
            Assert.Equal(["part-000000.parquet", "part-000001.parquet"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            seen = Readers.DuckDbSql(
                $"SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet('{folder}/*.parquet', filename = true, file_row_number = true) ORDER BY filename, file_row_number");
        }
        else
        {
            var file = Directory.GetFiles(_temp.Path, "energies.*").Single(f => !f.EndsWith(".schema", StringComparison.Ordinal));
            seen = Readers.DuckDb(file, duckFormat);
        }

        Assert.Equal(expected.ColumnNames, seen.Columns.Select(c => c.Name));
        for (var c = 0; c < types.Length; c++)
        {
            var type = seen.Columns[c].Type;
            var fits = types[c] switch
            {
                "*" => true,
                "INT*" => IntegerTypes.Contains(type),
                _ => types[c] == type,
            };
            Assert.True(fits, $"column {seen.Columns[c].Name}: DuckDB sees {type}, expected {types[c]}");
        }

        AssertRows(expected, seen);
    }

    [Fact]
    public void Flush_Ipc_ApacheArrowReadsSameRowsAndTypes()
    {
        var expected = WriteInTwoFlushes(DiskFormat.Ipc);
        var (files, seen) = Readers.ArrowDataset(_temp.Sub("energies.arrow")); // a folder of parts, one per flush
        Assert.Equal(["part-000000.arrow", "part-000001.arrow"], files.Select(Path.GetFileName));
        Assert.Equal(expected.ColumnNames, seen.Columns.Select(c => c.Name));
        Assert.Equal(
            ["Utf8", "Bool", "Int8", "Int16", "Int32", "Int64", "Uint8", "Uint16", "Uint32", "Uint64", "Float32", "Float64", "Timestamp<MICROSECOND, UTC>"],
            seen.Columns.Select(c => c.Type));
        AssertRows(expected, seen);
    }

    [Theory]
    [InlineData("parquet", DiskFormat.Parquet)]
    [InlineData("csv", DiskFormat.Csv)]
    public void Read_FileWrittenByDuckDb_EqualsTheQuery(string duckFormat, DiskFormat format)
    {
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("energies." + duckFormat);
        Readers.DuckDbWrite("""
            SELECT 'ens' || (i % 3)::VARCHAR AS ens_id, 'run' || (i % 2)::VARCHAR AS run_id, i::BIGINT AS micro_id,
                   CASE WHEN i % 10 = 0 THEN NULL ELSE i::DOUBLE / 4 END AS potential, i % 2 = 0 AS flag,
                   TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i) SECOND AS at
            FROM range(1000) r(i)
            """, file, duckFormat);

        using var store = new TableStore(_temp.Path, "r+", format);
        var table = store.Read("energies")!;
        Assert.Equal(["ens_id", "run_id", "micro_id", "potential", "flag", "at"], table.ColumnNames);
        var rows = Enumerable.Range(0, 1000).ToArray();
        Assert.Equal(rows.Select(i => $"ens{i % 3}"), table.Strings("ens_id"));
        Assert.Equal(rows.Select(i => (long?)i), table.Values<long>("micro_id"));
        Assert.Equal(rows.Select(i => i % 10 == 0 ? null : (double?)i / 4), table.Values<double>("potential"));
        Assert.Equal(rows.Select(i => (bool?)(i % 2 == 0)), table.Values<bool>("flag"));
        Assert.Equal(rows.Select(i => (DateTime?)new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i)), table.Values<DateTime>("at"));
        Assert.Equal(167, store.Query("energies", ensId: "ens1", runId: "run1")!.RowCount);

        // The store can keep adding to a file another tool wrote.
        store.Append("energies", store.Read("energies", TableView.Rows(0, 10))!);
        store.Flush();
        Assert.Equal(1010, Readers.DuckDb(file, duckFormat).Rows.Count);
    }

    private Table WriteInTwoFlushes(DiskFormat format)
    {
        using var store = new TableStore(_temp.Path, "w", format);
        store.Append("energies", TestTables.AllTypes(0, 9));
        store.Flush();
        store.Append("energies", TestTables.AllTypes(9, 7));
        store.Flush();
        return store.Read("energies")!;
    }

    private static void AssertRows(Table expected, ReadResult seen)
    {
        Assert.Equal(expected.RowCount, seen.Rows.Count);
        for (var c = 0; c < expected.ColumnNames.Count; c++)
        {
            var column = expected.Column(expected.ColumnNames[c]);
            for (var r = 0; r < column.Length; r++)
            {
                Assert.True(Same(column, r, seen.Rows[r][c]), $"row {r}, column {expected.ColumnNames[c]}: reader saw {seen.Rows[r][c]}");
            }
        }
    }

    private static bool Same(IArrowArray column, int row, JsonElement seen)
    {
        if (column.IsNull(row))
        {
            return seen.ValueKind == JsonValueKind.Null;
        }

        var text = seen.ValueKind == JsonValueKind.String ? seen.GetString()! : seen.GetRawText();
        return column switch
        {
            StringArray s => s.GetString(row) == text,
            BooleanArray b => b.GetValue(row)!.Value == seen.GetBoolean(),
            FloatArray f => Math.Abs(f.GetValue(row)!.Value - double.Parse(text, CultureInfo.InvariantCulture)) <= 1e-6 * Math.Max(1, Math.Abs(f.GetValue(row)!.Value)),
            DoubleArray d => d.GetValue(row)!.Value == double.Parse(text, CultureInfo.InvariantCulture),
            TimestampArray t when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var raw) =>
                t.GetValue(row) == raw, // a reader's raw count of the unit
            TimestampArray t => t.GetTimestamp(row)!.Value.ToUnixTimeMilliseconds() ==
                (seen.ValueKind == JsonValueKind.Number ? seen.GetInt64() : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds()),
            _ when text.Contains('e', StringComparison.OrdinalIgnoreCase) || seen.ValueKind == JsonValueKind.Number && text.Length > 17 =>
                (double)Integer(column, row) == double.Parse(text, CultureInfo.InvariantCulture), // a sniffer's double
            _ => Integer(column, row) == decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    private static decimal Integer(IArrowArray column, int row) => column switch
    {
        Int8Array a => a.GetValue(row)!.Value,
        Int16Array a => a.GetValue(row)!.Value,
        Int32Array a => a.GetValue(row)!.Value,
        Int64Array a => a.GetValue(row)!.Value,
        UInt8Array a => a.GetValue(row)!.Value,
        UInt16Array a => a.GetValue(row)!.Value,
        UInt32Array a => a.GetValue(row)!.Value,
        UInt64Array a => a.GetValue(row)!.Value,
        _ => throw new InvalidOperationException(column.GetType().Name),
    };
}
