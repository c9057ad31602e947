using System.Globalization;
using Apache.Arrow;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;
using Xunit.Abstractions;
using Table = Store.Core.Tables.Table;

namespace Store.Interop.Tests;

/// <summary>
/// Parquet files DuckDB writes with format v2 (DELTA_BINARY_PACKED integers, dates and timestamps,
/// DELTA_LENGTH_BYTE_ARRAY strings, BYTE_STREAM_SPLIT floats, RLE_DICTIONARY, RLE booleans) read
/// value for value as DuckDB reads them, whatever the row group size, nulls and compression.
/// </summary>
public class ParquetEncodingTests(ITestOutputHelper output) : IDisposable
{
    private const int Rows = 5000;

    // Each column: the DuckDB expression over i that makes it, and the DuckDB expression that prints
    // its value as the store's column prints it (integers and strings as text, timestamps as counts of
    // their own unit since 1970, dates as microseconds since 1970, floats by their shortest text). hash(i) spreads values over the whole
    // type, so deltas between neighbours overflow 32 bits.
    private static readonly (string Name, string Make, string Show)[] Columns =
    [
        ("i8", "((hash(i) % 256)::INTEGER - 128)::TINYINT", "i8::VARCHAR"),
        ("i16", "((hash(i) % 65536)::INTEGER - 32768)::SMALLINT", "i16::VARCHAR"),
        ("i32", "((hash(i) % 4294967296)::BIGINT - 2147483648)::INTEGER", "i32::VARCHAR"),
        ("i32_sorted", "(i * 3 - 7)::INTEGER", "i32_sorted::VARCHAR"),
        ("i64", "((hash(i) % 18446744073709551615)::HUGEINT - 9223372036854775807)::BIGINT", "i64::VARCHAR"),
        ("i64_sorted", "(i * 1000003)::BIGINT", "i64_sorted::VARCHAR"),
        ("u8", "(hash(i) % 256)::UTINYINT", "u8::VARCHAR"),
        ("u16", "(hash(i) % 65536)::USMALLINT", "u16::VARCHAR"),
        ("u32", "(hash(i) % 4294967296)::UINTEGER", "u32::VARCHAR"),
        ("u64", "hash(i)::UBIGINT", "u64::VARCHAR"),
        ("f32", "(hash(i) % 1000000)::FLOAT / 7", "f32::VARCHAR"),
        ("f64", "(hash(i) % 100000000)::DOUBLE / 3", "f64::VARCHAR"),
        ("flag", "hash(i) % 2 = 0", "flag::VARCHAR"),
        ("text", "md5(i::VARCHAR)", "text"),
        ("path", "'prefix/common/' || lpad(i::VARCHAR, 8, '0')", "path"),
        ("at_us", "TIMESTAMP '1950-01-01' + INTERVAL (hash(i) % 4000000000000000) MICROSECOND", "epoch_us(at_us)::VARCHAR"),
        ("at_seconds", "TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND", "epoch_us(at_seconds)::VARCHAR"),
        ("at_ms", "(TIMESTAMP '2026-01-01' + INTERVAL (hash(i) % 100000000000) MILLISECOND)::TIMESTAMP_MS", "epoch_ms(at_ms)::VARCHAR"),
        ("at_ns", "make_timestamp_ns(946684800000000000 + (hash(i) % 1000000000000000000)::BIGINT)", "epoch_ns(at_ns)::VARCHAR"),
        ("at_tz", "(TIMESTAMP '2026-01-01' + INTERVAL (hash(i) % 100000000000000) MICROSECOND)::TIMESTAMPTZ", "epoch_us(at_tz)::VARCHAR"),
        ("day", "DATE '1900-01-01' + (hash(i) % 70000)::INTEGER", "epoch_us(day::TIMESTAMP)::VARCHAR"),
        ("few_ints", "(i % 5)::INTEGER", "few_ints::VARCHAR"),
        ("few_texts", "'v' || (i % 7)::VARCHAR", "few_texts"),
        ("few_times", "TIMESTAMP '2026-01-01' + INTERVAL (i % 3) HOUR", "epoch_us(few_times)::VARCHAR"),
    ];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // Row group sizes: DuckDB's smallest (2,048, so several row groups and a last short one) and its default
    // (one row group); nulls in every column or none; the compression codecs DuckDB writes.
    public static TheoryData<int, bool, string> Layouts => new()
    {
        { 2048, false, "snappy" },
        { 2048, true, "snappy" },
        { 122880, false, "snappy" },
        { 122880, true, "snappy" },
        { 2048, true, "zstd" },
        { 2048, true, "gzip" },
        { 2048, true, "brotli" },
        { 2048, true, "lz4_raw" },
        { 122880, true, "uncompressed" },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Read_DuckDbV2FileWithEveryEncoding_EqualsDuckDb(int rowGroupSize, bool nulls, string compression)
    {
        var file = Write(Columns, nulls, $"PARQUET_VERSION V2, ROW_GROUP_SIZE {rowGroupSize}, COMPRESSION {compression}");
        var encodings = EncodingsOf(file);
        Assert.Contains("DELTA_BINARY_PACKED", encodings["i32"]);
        Assert.Contains("DELTA_BINARY_PACKED", encodings["at_us"]);
        Assert.Contains("DELTA_LENGTH_BYTE_ARRAY", encodings["text"]);
        Assert.Contains("BYTE_STREAM_SPLIT", encodings["f64"]);
        Assert.Contains("RLE_DICTIONARY", encodings["few_ints"]);

        AssertReadsAsDuckDb(file, Columns, encodings);
    }

    [Fact]
    public void Read_NullableInt32DeltaFromDuckDb_EqualsDuckDbAndAppends()
    {
        (string, string, string)[] columns = [Columns[2]];
        var file = Write(columns, nulls: true, "PARQUET_VERSION V2");
        Assert.Equal("DELTA_BINARY_PACKED", EncodingsOf(file)["i32"]);

        AssertReadsAsDuckDb(file, columns, EncodingsOf(file));

        // The store can keep adding to the file: DuckDB then reads the old rows and the new ones.
        using (var store = new TableStore(_temp.Path, "r+", DiskFormat.Parquet))
        {
            store.Append("t", Table.FromColumns(("i32", TableColumn.Of<int>([int.MinValue, null, int.MaxValue]))));
            store.Flush();
        }

        var seen = Readers.DuckDbSql($"SELECT i32::VARCHAR FROM '{file}'").Rows;
        Assert.Equal(Rows + 3, seen.Count);
        Assert.Equal(["-2147483648", null, "2147483647"], seen.Skip(Rows).Select(r => r[0].ValueKind == System.Text.Json.JsonValueKind.Null ? null : r[0].GetString()));
    }

    private string Write(IReadOnlyList<(string Name, string Make, string Show)> columns, bool nulls, string options)
    {
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("t.parquet");
        var select = string.Join(", ", columns.Select((c, k) => nulls
            ? $"CASE WHEN (i * 7 + {k}) % 5 = 0 THEN NULL ELSE {c.Make} END AS {c.Name}"
            : $"{c.Make} AS {c.Name}"));
        Readers.DuckDbWrite($"SELECT {select} FROM range({Rows}) r(i)", file, "parquet", options);
        return file;
    }

    private static Dictionary<string, string> EncodingsOf(string file) =>
        Readers.DuckDbSql($"SELECT path_in_schema, string_agg(DISTINCT encodings, '+' ORDER BY encodings) FROM parquet_metadata('{file}') GROUP BY ALL")
            .Rows.ToDictionary(r => r[0].GetString()!, r => r[1].GetString()!);

    /// <summary>Every value of every column equals DuckDB's; prints per column the encodings and the values compared.</summary>
    private void AssertReadsAsDuckDb(string file, IReadOnlyList<(string Name, string Make, string Show)> columns, Dictionary<string, string> encodings)
    {
        var expected = Readers.DuckDbSql($"SELECT {string.Join(", ", columns.Select(c => c.Show))} FROM '{file}'").Rows;
        using var store = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        var table = store.Read("t")!;
        Assert.Equal(columns.Select(c => c.Name), table.ColumnNames);
        Assert.Equal(expected.Count, table.RowCount);
        var wrong = new List<string>();
        for (var c = 0; c < columns.Count; c++)
        {
            var column = table.Column(columns[c].Name);
            var bad = 0;
            string? first = null;
            for (var r = 0; r < column.Length; r++)
            {
                var want = expected[r][c].ValueKind == System.Text.Json.JsonValueKind.Null ? null : expected[r][c].GetString();
                var got = Show(column, r);
                if (!Same(want, got, column))
                {
                    bad++;
                    first ??= $"row {r}: DuckDB {want ?? "null"}, store {got ?? "null"}";
                }
            }

            output.WriteLine($"{columns[c].Name} ({encodings[columns[c].Name]}): {column.Length - bad} of {column.Length} equal{(first is null ? "" : "; first difference " + first)}");
            if (bad > 0)
            {
                wrong.Add($"{columns[c].Name} ({encodings[columns[c].Name]}): {bad} of {column.Length} values differ, first {first}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static string? Show(IArrowArray column, int row) => column.IsNull(row) ? null : column switch
    {
        StringArray s => s.GetString(row),
        BooleanArray b => b.GetValue(row)!.Value ? "true" : "false",
        TimestampArray t => t.GetValue(row)!.Value.ToString(CultureInfo.InvariantCulture),
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
        _ => throw new InvalidOperationException(column.GetType().Name),
    };

    // Floats compare as numbers (DuckDB prints the shortest text for a float, .NET for the double it widens to).
    private static bool Same(string? want, string? got, IArrowArray column) => want is null || got is null
        ? want == got
        : column is FloatArray or DoubleArray
            ? double.Parse(want, CultureInfo.InvariantCulture) == double.Parse(got, CultureInfo.InvariantCulture)
              || (column is FloatArray && float.Parse(want, CultureInfo.InvariantCulture) == float.Parse(got, CultureInfo.InvariantCulture))
            : want == got;
}
