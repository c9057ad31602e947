using ParquetSharp;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;
using Table = Store.Core.Tables.Table;

namespace Store.Interop.Tests;

/// <summary>
/// DELTA_BINARY_PACKED chunks in the page layouts DuckDB does not write, from Arrow C++'s writer
/// (ParquetSharp): data pages v1 and v2, pages of a few hundred bytes (many per chunk) or one page,
/// required and optional columns. Each value equals the value written, and DuckDB reads the file the same.
/// (Arrow C++ falls back from dictionary pages to PLAIN ones, whatever encoding is asked for, so a
/// chunk mixing dictionary and delta pages is not among them; DuckDB writes each chunk in one encoding.)
/// </summary>
public class ParquetPageLayoutTests : IDisposable
{
    private const int Rows = 20_000;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(ParquetDataPageVersion.V1, 256)]
    [InlineData(ParquetDataPageVersion.V2, 256)]
    [InlineData(ParquetDataPageVersion.V1, 1 << 20)]
    [InlineData(ParquetDataPageVersion.V2, 1 << 20)]
    public void Read_ArrowCppDeltaChunks_EqualTheValuesWritten(ParquetDataPageVersion pages, long pageSize)
    {
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("t.parquet");
        var spread = Enumerable.Range(0, Rows).Select(i => (int)(uint)HashCode.Combine(i, 7)).ToArray();
        var required = spread;
        var optional = spread.Select((v, i) => i % 3 == 0 ? (int?)null : v).ToArray();
        var longs = spread.Select((v, i) => i % 4 == 1 ? (long?)null : (long)v * 1_000_003).ToArray();
        var epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var times = spread.Select((v, i) => i % 5 == 2 ? (DateTime?)null : epoch.AddTicks((long)v * 10_000_000L / 7 * 10)).ToArray();

        using (var properties = new WriterPropertiesBuilder()
                   .Compression(Compression.Snappy)
                   .DisableDictionary()
                   .Encoding(ParquetSharp.Encoding.DeltaBinaryPacked)
                   .DataPagesize(pageSize)
                   .DataPageVersion(pages)
                   .Build())
        using (var writer = new ParquetFileWriter(file, [
                   new Column<int>("required"), new Column<int?>("optional"), new Column<long?>("longs"),
                   new Column<DateTime?>("times", LogicalType.Timestamp(true, ParquetSharp.TimeUnit.Micros))], properties))
        {
            using var group = writer.AppendRowGroup();
            using (var column = group.NextColumn().LogicalWriter<int>()) column.WriteBatch(required);
            using (var column = group.NextColumn().LogicalWriter<int?>()) column.WriteBatch(optional);
            using (var column = group.NextColumn().LogicalWriter<long?>()) column.WriteBatch(longs);
            using (var column = group.NextColumn().LogicalWriter<DateTime?>()) column.WriteBatch(times);
            writer.Close();
        }

        var encodings = Readers.DuckDbSql($"SELECT path_in_schema, encodings FROM parquet_metadata('{file}')").Rows
            .ToDictionary(r => r[0].GetString()!, r => r[1].GetString()!);
        Assert.All(encodings.Values, e => Assert.Contains("DELTA_BINARY_PACKED", e));

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        var table = store.Read("t")!;
        Assert.Equal(required.Select(v => (int?)v), table.Values<int>("required"));
        Assert.Equal(optional, table.Values<int>("optional"));
        Assert.Equal(longs, table.Values<long>("longs"));
        Assert.Equal(times, table.Values<DateTime>("times"));

        var duck = Readers.DuckDbSql($"SELECT optional::VARCHAR, epoch_us(times)::VARCHAR FROM '{file}'").Rows;
        Assert.Equal(optional.Select(v => v?.ToString()), duck.Select(r => r[0].ValueKind == System.Text.Json.JsonValueKind.Null ? null : r[0].GetString()));
        Assert.Equal(times.Select(t => t is null ? null : ((t.Value - epoch).Ticks / 10).ToString()), duck.Select(r => r[1].ValueKind == System.Text.Json.JsonValueKind.Null ? null : r[1].GetString()));
    }
}
