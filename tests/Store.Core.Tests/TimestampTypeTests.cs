using Apache.Arrow.Types;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// A timestamp column's type is its unit and zone: appends must match both and are refused naming
/// both; filters compare every digit; the DateTime view refuses what DateTime cannot hold instead of failing obscurely.
/// </summary>
[Trait("TimeZone", "any")]
public class TimestampTypeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(TimeUnit.Microsecond, "UTC")]
    [InlineData(TimeUnit.Nanosecond, "UTC")]
    [InlineData(TimeUnit.Microsecond, null)]
    public void Append_ToNanosecondsWithoutZone_AnotherUnitOrZoneIsRefusedNamingBoth(TimeUnit unit, string? zone)
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub("x.csv"), "t\n1969-12-31 23:59:59.999999999\n");
        using var store = new TableStore(_temp.Path, "r+", DiskFormat.Csv);

        var error = Assert.Throws<SchemaException>(() => store.Append("x", Table.FromColumns(("t", TestTimestamps.Column(new TimestampType(unit, zone), [1L])))));
        Assert.Contains("timestamp[Nanosecond, no zone]", error.Message);
        Assert.Contains(TestTimestamps.Name(unit, zone), error.Message);

        store.Append("x", Table.FromColumns(("t", TestTimestamps.Column(new TimestampType(TimeUnit.Nanosecond, (string?)null), [1L]))));
        Assert.Equal([-1L, 1L], store.Read("x")!.Values<long>("t"));
    }

    [Theory]
    [InlineData("t >= '1969-12-31 23:59:59.999999999'", new[] { 1, 2, 3 })]
    [InlineData("t < '1970-01-01T00:00:00.000000001'", new[] { 0, 1, 2 })]
    [InlineData("t == '1970-01-01 00:00:00'", new[] { 2 })]
    [InlineData("t > '1969-12-31 23:59:59.999999998'", new[] { 1, 2, 3 })]
    [InlineData("t <= '1969-12-31 23:59:59.999999998'", new[] { 0 })]
    public void Query_FilterOnNanoseconds_ComparesEveryDigit(string filter, int[] rows)
    {
        using var store = new TableStore("", "w", DiskFormat.None);
        store.Write("x", Table.FromColumns(
            ("id", TableColumn.Of<long>([0L, 1, 2, 3])),
            ("t", TestTimestamps.Column(new TimestampType(TimeUnit.Nanosecond, (string?)null), [-2L, -1, 0, 1]))));
        Assert.Equal(rows.Select(r => (long?)r), store.Query("x", filter: filter)!.Values<long>("id"));
    }

    [Fact]
    public void Values_DateTimeOutsideItsYears_IsASchemaErrorPointingToTheRawValues()
    {
        var table = Table.FromColumns(("t", TestTimestamps.Column(new TimestampType(TimeUnit.Second, "UTC"), [0L, 253_402_300_800L])));
        Assert.Equal([0L, 253_402_300_800L], table.Values<long>("t"));
        var error = Assert.Throws<SchemaException>(() => table.Values<DateTime>("t"));
        Assert.Contains("+10000-01-01T00:00:00Z", error.Message);
        Assert.Contains("Values<long>", error.Message);
    }

    [Fact]
    public void Of_DateTimesBefore1970WithFinerTicks_GoToTheEarlierMicrosecond()
    {
        var column = TableColumn.Of([new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999)]);
        var table = Table.FromColumns(("t", column));
        Assert.Equal([-1L], table.Values<long>("t"));
        Assert.Equal("t: timestamp[Microsecond, UTC]", Table.Describe(table.Schema));
    }
}
