using Apache.Arrow.Types;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// A timestamp column keeps its unit and zone and every digit through a flush, a reopen, an append
/// to the file and another reopen, in every table format; the DateTime view converts any unit
/// without rounding toward 1970 and never shifts values without a zone.
/// </summary>
[Trait("TimeZone", "any")]
public class TimestampRoundTripTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat, TimeUnit, string?> Cases()
    {
        var cases = new TheoryData<DiskFormat, TimeUnit, string?>();
        foreach (var format in new[] { DiskFormat.Parquet, DiskFormat.Ipc, DiskFormat.Csv, DiskFormat.Json })
        {
            foreach (var unit in TestTimestamps.Units)
            {
                foreach (var zone in TestTimestamps.Zones)
                {
                    cases.Add(format, unit, zone);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FlushReopenAppendFlush_EveryUnitAndZone_KeepsTheTypeAndEveryDigit(DiskFormat format, TimeUnit unit, string? zone)
    {
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Append("t", TestTimestamps.Table(unit, zone));
            store.Flush();
        }

        using (var store = new TableStore(_temp.Path, "r+", format))
        {
            var read = store.Read("t")!;
            Assert.Equal($"id: int64, t: {TestTimestamps.Name(unit, zone)}", Table.Describe(read.Schema));
            Assert.Equal(TestTimestamps.Values(unit), read.Values<long>("t"));
            store.Append("t", TestTimestamps.Table(unit, zone, shiftSeconds: 7)); // read-modify-write: the file grows
            store.Flush();
        }

        using var reopened = new TableStore(_temp.Path, "r", format);
        var all = reopened.Read("t")!;
        long?[] expected = [.. TestTimestamps.Values(unit), .. TestTimestamps.Values(unit, shiftSeconds: 7)];
        Assert.Equal($"id: int64, t: {TestTimestamps.Name(unit, zone)}", Table.Describe(all.Schema));
        Assert.Equal(expected, all.Values<long>("t"));
        var times = all.Values<DateTime>("t");
        Assert.Equal(expected.Select(v => TestTimestamps.Expected(v, unit, zone)), times);
        Assert.All(times.OfType<DateTime>(), t => Assert.Equal(zone is null ? DateTimeKind.Unspecified : DateTimeKind.Utc, t.Kind));
    }
}
