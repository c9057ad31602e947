using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

/// <summary>
/// Arrow IPC files as other writers make them (issue 13, item 8): LZ4_FRAME and ZSTD compressed
/// buffers, dictionary-encoded string and integer columns, large_utf8, dates and times of day.
/// Each reads with its values unchanged; dictionaries decode to their value type and large_utf8 to
/// utf8; dates and times keep their Arrow type through a read-modify-write of the file, formats that
/// cannot hold them refuse them by column, and types the store has no place for are refused naming the file.
/// </summary>
public class IpcForeignColumnsTests : IDisposable
{
    private static readonly string?[] Cities = ["Lyon", null, "Oslo", "Lyon", "Pune"];
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(CompressionCodecType.Lz4Frame)]
    [InlineData(CompressionCodecType.Zstd)]
    public void Read_CompressedBuffers_ValuesAsWritten(CompressionCodecType codec)
    {
        var energies = new DoubleArray.Builder().AppendRange([1.5, -2.25, 3e10, 0, 7]).Build();
        var names = TableColumn.Of(Cities);
        WriteIpc("compressed", [("energy", energies), ("city", names)], codec);

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Ipc);
        var table = store.Read("compressed")!;
        Assert.Equal([1.5, -2.25, 3e10, 0, 7], table.Values<double>("energy").Select(v => v!.Value));
        Assert.Equal(Cities, table.Strings("city"));
    }

    [Fact]
    public void Read_DictionaryColumns_DecodedToTheirValueTypes()
    {
        var cityIndices = new Int8Array.Builder().Append(0).AppendNull().Append(1).Append(0).Append(2).Build();
        var cities = new DictionaryArray(new DictionaryType(Int8Type.Default, StringType.Default, false), cityIndices, TableColumn.Of(["Lyon", "Oslo", "Pune"]));
        var runIndices = new Int32Array.Builder().AppendRange([1, 1, 0, 2, 0]).Build();
        var runs = new DictionaryArray(new DictionaryType(Int32Type.Default, Int64Type.Default, false), runIndices, new Int64Array.Builder().AppendRange([10, -20, long.MaxValue]).Build());
        WriteIpc("dictionaries", [("city", cities), ("run_id", runs)]);

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Ipc);
        var table = store.Read("dictionaries")!;
        Assert.Equal(["utf8", "int64"], table.Schema.FieldsList.Select(f => ArrowColumns.Describe(f.DataType)));
        Assert.Equal(Cities, table.Strings("city"));
        Assert.Equal(new long?[] { -20, -20, 10, long.MaxValue, 10 }, table.Values<long>("run_id"));
        Assert.Equal(2, store.Query("dictionaries", filter: "city == 'Lyon'")!.RowCount);
    }

    [Fact]
    public void Read_LargeUtf8_ReadAsUtf8()
    {
        var builder = new LargeStringArray.Builder();
        foreach (var city in Cities)
        {
            if (city is null)
            {
                builder.AppendNull();
            }
            else
            {
                builder.Append(city);
            }
        }

        WriteIpc("large", [("city", builder.Build())]);

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Ipc);
        var table = store.Read("large")!;
        Assert.IsType<StringType>(table.Schema.GetFieldByName("city").DataType);
        Assert.Equal(Cities, table.Strings("city"));
    }

    [Fact]
    public void AppendAndFlush_DatesAndTimes_KeepTheirArrowTypesAndValues()
    {
        WriteIpc("days", DateAndTimeColumns(0));
        using (var store = new TableStore(_temp.Path, "r+", DiskFormat.Ipc))
        {
            var read = store.Read("days")!;
            Assert.Equal([new DateOnly(1969, 12, 31), new DateOnly(2024, 2, 29)], read.Values<DateOnly>("day").Select(v => v!.Value));
            Assert.Equal(new TimeOnly(23, 59, 58, 999), read.Values<TimeOnly>("clock_ms")[1]);
            Assert.Equal(1, store.Query("days", filter: "day >= '2000-01-01' and clock_us <= '12:00'")!.RowCount);
            store.Append("days", Table.FromColumns([.. DateAndTimeColumns(1)]));
            store.Flush();
        }

        using var stream = File.OpenRead(_temp.Sub("days.arrow"));
        using var reader = new ArrowFileReader(stream);
        Assert.Equal(
            ["date32", "date64", "time32[ms]", "time64[us]", "time64[ns]"],
            reader.Schema.FieldsList.Select(f => ArrowColumns.Describe(f.DataType)));
        var rows = new List<RecordBatch>();
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            rows.Add(batch);
        }

        var all = Table.FromBatches(reader.Schema, rows);
        Assert.Equal(new int?[] { -1, 19782, -1 + 1, 19782 + 1 }, all.Values<int>("day"));
        Assert.Equal(new long?[] { -86_400_000, 1_709_164_800_000, 0, 1_709_251_200_000 }, all.Values<long>("day_ms"));
        Assert.Equal(new int?[] { 0, 86_398_999, 1, 86_399_000 }, all.Values<int>("clock_ms"));
        Assert.Equal(new long?[] { 1, 43_200_000_000, 2, 43_200_000_001 }, all.Values<long>("clock_us"));
        Assert.Equal(new long?[] { 123_456_789, null, 123_456_790, null }, all.Values<long>("clock_ns"));
    }

    [Theory]
    [InlineData(DiskFormat.Parquet)]
    [InlineData(DiskFormat.Csv)]
    [InlineData(DiskFormat.Json)]
    public void Write_DateColumnsToAFormatWithoutThem_RefusedNamingEachColumn(DiskFormat format)
    {
        using var store = new TableStore(_temp.Path, "w", format);
        var table = Table.FromColumns([.. DateAndTimeColumns(0)]);

        var error = Assert.Throws<SchemaException>(() => store.Write("days", table));
        Assert.Contains("'days'", error.Message);
        Assert.Contains("'day' (date32)", error.Message);
        Assert.Contains("'clock_ns' (time64[ns])", error.Message);
        Assert.Contains("DiskFormat.Ipc", error.Message);
        Assert.Throws<SchemaException>(() => store.Append("days", table));
        Assert.Null(store.Read("days"));
        store.Flush();
        Assert.DoesNotContain(Directory.GetFiles(_temp.Path), f => !TempFolder.IsStoreFile(f));
    }

    [Fact]
    public void Read_ColumnOfATypeTheStoreLacks_RefusedNamingFileColumnAndType()
    {
        var decimals = new Decimal128Array.Builder(new Decimal128Type(10, 2)).Append(1.25m).Build();
        WriteIpc("money", [("price", decimals)]);

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Ipc);
        var error = Assert.Throws<CorruptDataException>(() => store.Read("money"));
        Assert.Contains(_temp.Sub("money.arrow"), error.Message);
        Assert.Contains("'price'", error.Message);
        Assert.Contains("decimal", error.Message);
    }

    // date32, date64, time32[ms], time64[us] and time64[ns] columns of two rows; shift moves every value by one unit (one day for dates).
    private static (string, IArrowArray)[] DateAndTimeColumns(int shift) =>
    [
        ("day", ArrowArrayFactory.BuildArray(Fixed(Date32Type.Default, new[] { -1 + shift, 19782 + shift }))),
        ("day_ms", ArrowArrayFactory.BuildArray(Fixed(Date64Type.Default, new[] { -86_400_000L + (shift * 86_400_000L), 1_709_164_800_000 + (shift * 86_400_000L) }))),
        ("clock_ms", ArrowArrayFactory.BuildArray(Fixed(new Time32Type(TimeUnit.Millisecond), new[] { 0 + shift, 86_398_999 + shift }))),
        ("clock_us", ArrowArrayFactory.BuildArray(Fixed(new Time64Type(TimeUnit.Microsecond), new[] { 1L + shift, 43_200_000_000 + shift }))),
        ("clock_ns", ArrowArrayFactory.BuildArray(Fixed(new Time64Type(TimeUnit.Nanosecond), new[] { 123_456_789L + shift, 0 }, [true, false]))),
    ];

    private static ArrayData Fixed<T>(IArrowType type, T[] values, bool[]? valid = null) where T : struct
    {
        var validity = new ArrowBuffer.BitmapBuilder(values.Length);
        foreach (var flag in valid ?? values.Select(_ => true).ToArray())
        {
            validity.Append(flag);
        }

        var nulls = valid?.Count(v => !v) ?? 0;
        return new ArrayData(type, values.Length, nulls, 0, [nulls == 0 ? ArrowBuffer.Empty : validity.Build(), new ArrowBuffer.Builder<T>().AppendRange(values).Build()]);
    }

    private void WriteIpc(string name, (string Name, IArrowArray Values)[] columns, CompressionCodecType? codec = null)
    {
        Directory.CreateDirectory(_temp.Path);
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Values.Data.DataType, true)), null);
        var batch = new RecordBatch(schema, columns.Select(c => c.Values), columns[0].Values.Length);
        var options = codec is { } type ? new IpcOptions { CompressionCodec = type, CompressionCodecFactory = new CompressionCodecFactory() } : null;
        using var stream = File.Create(_temp.Sub(name + ".arrow"));
        using var writer = new ArrowFileWriter(stream, schema, leaveOpen: false, options);
        writer.WriteRecordBatch(batch);
        writer.WriteEnd();
    }
}
