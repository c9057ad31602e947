using Apache.Arrow.Types;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// Timestamps in CSV and JSON lines: written with every digit of their unit and a <c>Z</c> only when
/// zoned, read back without DateTime's 100 ns limit, inferred with the unit and zone the text
/// has when another tool wrote the file, and refused, naming the file, when a cell does not fit.
/// </summary>
[Trait("TimeZone", "any")]
public class TimestampTextTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(TimeUnit.Second, null, "1969-12-31 23:59:59", "2038-01-19 03:14:08")]
    [InlineData(TimeUnit.Millisecond, "UTC", "1969-12-31T23:59:59.999Z", "2038-01-19T03:14:08.001Z")]
    [InlineData(TimeUnit.Microsecond, "Asia/Kolkata", "1969-12-31T23:59:59.999999Z", "2038-01-19T03:14:08.000001Z")]
    [InlineData(TimeUnit.Nanosecond, null, "1969-12-31 23:59:59.999999999", "2038-01-19 03:14:08.000000001")]
    [InlineData(TimeUnit.Nanosecond, "UTC", "1969-12-31T23:59:59.999999999Z", "2038-01-19T03:14:08.000000001Z")]
    public void Flush_Csv_WritesEveryDigitOfTheUnitAndZOnlyWhenZoned(TimeUnit unit, string? zone, string before1970, string after2038)
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Csv))
        {
            store.Append("t", TestTimestamps.Table(unit, zone));
            store.Flush();
        }

        var lines = File.ReadAllLines(_temp.Sub("t.csv"));
        Assert.Equal("id,t", lines[0]);
        Assert.Equal($"1,{before1970}", lines[2]);
        Assert.Equal($"3,{after2038}", lines[4]);
        Assert.Equal("5,", lines[6]);
    }

    [Fact]
    public void Flush_JsonLines_WritesTimestampsAsStringsWithEveryDigit()
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Json))
        {
            store.Append("t", TestTimestamps.Table(TimeUnit.Nanosecond, null));
            store.Append("z", TestTimestamps.Table(TimeUnit.Microsecond, "UTC"));
            store.Flush();
        }

        Assert.Equal("{\"id\":1,\"t\":\"1969-12-31 23:59:59.999999999\"}", File.ReadAllLines(_temp.Sub("t.jsonl"))[1]);
        Assert.Equal("{\"id\":0,\"t\":\"1900-01-01T00:00:00.333333Z\"}", File.ReadAllLines(_temp.Sub("z.jsonl"))[0]);
    }

    [Fact]
    public void Read_CsvWrittenByAnotherTool_InfersUnitAndZoneAndKeepsEveryDigit()
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub("x.csv"), """
            ns,offset,plain,mixed,date
            1969-12-31 23:59:59.999999999,2026-01-01T05:30:00.5+05:30,2026-01-01 00:00:00,2026-01-01 00:00:00Z,1969-12-31
            1677-09-21T00:12:43.145224192,1969-12-31 23:00:00-01,2262-04-11 23:47:16.854775,2026-01-01 00:00:00,2026-01-01

            """);

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        var table = store.Read("x")!;
        Assert.Equal(
            "ns: timestamp[Nanosecond, no zone], offset: timestamp[Microsecond, UTC], plain: timestamp[Microsecond, no zone], mixed: utf8, date: timestamp[Microsecond, no zone]",
            Table.Describe(table.Schema));
        Assert.Equal([-1L, long.MinValue], table.Values<long>("ns"));
        Assert.Equal([1_767_225_600_500_000L, 0L], table.Values<long>("offset"));
        Assert.Equal([1_767_225_600_000_000L, 9_223_372_036_854_775L], table.Values<long>("plain"));
        Assert.Equal([-86_400_000_000L, 1_767_225_600_000_000L], table.Values<long>("date"));
        Assert.Equal(new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Unspecified).AddTicks(9_999_999), table.Values<DateTime>("ns")[0]);
        Assert.Equal(DateTimeKind.Unspecified, table.Values<DateTime>("plain")[0]!.Value.Kind);
    }

    [Fact]
    public void Read_CellWithMoreDigitsThanTheUnit_IsRefusedNamingFileRowAndType()
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub("x.csv"), "t\n2026-01-01 00:00:00.123\n2026-01-01 00:00:00.1234\n");
        Sidecar("x.csv", "timestamp[Millisecond, no zone]");

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        var error = Assert.Throws<CorruptDataException>(() => store.Read("x"));
        Assert.Contains(_temp.Sub("x.csv"), error.Message);
        Assert.Contains("row 2", error.Message);
        Assert.Contains("'2026-01-01 00:00:00.1234' has more fractional digits than timestamp[Millisecond] holds", error.Message);
        Assert.Contains("expected timestamp[Millisecond, no zone]", error.Message);
    }

    [Fact]
    public void Read_OffsetInAColumnWithoutZone_IsRefusedRatherThanShifted()
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub("x.csv"), "t\n2026-01-01 00:00:00+05:30\n");
        Sidecar("x.csv", "timestamp[Second, no zone]");

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        var error = Assert.Throws<CorruptDataException>(() => store.Read("x"));
        Assert.Contains("'2026-01-01 00:00:00+05:30' carries a UTC offset", error.Message);
    }

    [Fact]
    public void Append_ToCsvOfEarlierVersions_ReadsItsMicrosecondsUtcAndAddsRowsWithZ()
    {
        // What the store wrote before: microseconds, UTC, six digits and no Z, the sidecar naming timestamp[Microsecond, UTC].
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub("x.csv"), "t\n1969-12-31 23:59:59.999999\n");
        Sidecar("x.csv", "timestamp[Microsecond, UTC]");

        using (var store = new TableStore(_temp.Path, "r+", DiskFormat.Csv))
        {
            Assert.Equal([-1L], store.Read("x")!.Values<long>("t"));
            store.Append("x", Table.FromColumns(("t", TableColumn.Of([new DateTime(2038, 1, 19, 3, 14, 8, DateTimeKind.Utc)]))));
            store.Flush();
        }

        Assert.Equal(["t", "1969-12-31 23:59:59.999999", "2038-01-19T03:14:08.000000Z"], File.ReadAllLines(_temp.Sub("x.csv")));
        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        Assert.Equal([-1L, 2_147_483_648_000_000L], reopened.Read("x")!.Values<long>("t"));
    }

    // The commit record the store keeps beside a text table: column t of the given type, every byte of the file committed.
    private void Sidecar(string file, string type) =>
        File.WriteAllText(_temp.Sub(file + ".schema"), $"{{\"columns\":[[\"t\",\"{type}\"]],\"length\":{new FileInfo(_temp.Sub(file)).Length}}}");
}
