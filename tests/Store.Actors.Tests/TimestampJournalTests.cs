using Akka.Actor;
using Apache.Arrow.Types;
using Microsoft.Data.Sqlite;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// Timestamp columns of every unit and zone keep their type and every digit through the actor
/// store's journal (Arrow IPC events), a path actor's recovery from the flushed file plus the journal,
/// and a reopened store.
/// </summary>
[Trait("TimeZone", "any")]
public class TimestampJournalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Theory]
    [InlineData(DiskFormat.Parquet)]
    [InlineData(DiskFormat.Csv)]
    public async Task Recovery_EveryUnitAndZone_KeepsTheTypeAndEveryDigit(DiskFormat format)
    {
        var options = new ActorStoreOptions { Root = _temp.Path, DiskFormat = format, Mode = "w", Durability = Durability.Journal };
        var paths = new List<(string Path, TimeUnit Unit, string? Zone)>();
        await using (var store = TableActorStore.Open(options))
        {
            foreach (var unit in TestTimestamps.Units)
            {
                foreach (var zone in TestTimestamps.Zones)
                {
                    var path = $"{unit}-{zone?.Replace('/', '-') ?? "none"}";
                    paths.Add((path, unit, zone));
                    await store.AppendAsync(path, TestTimestamps.Table(unit, zone), "p", 1);
                    await store.FlushAsync(path);
                    await store.AppendAsync(path, TestTimestamps.Table(unit, zone, shiftSeconds: 7), "p", 2); // journaled, not flushed
                    (await RobustnessTests.FindPathActor(store, path)).Tell(Kill.Instance);

                    var recovered = (await store.ReadAsync(path))!;
                    AssertHolds(recovered, unit, zone);
                }
            }
        }

        await using var reopened = TableActorStore.Open(options with { Mode = "r" });
        foreach (var (path, unit, zone) in paths)
        {
            AssertHolds((await reopened.ReadAsync(path))!, unit, zone);
        }
    }

    private static void AssertHolds(Table table, TimeUnit unit, string? zone)
    {
        Assert.Equal($"id: int64, t: {TestTimestamps.Name(unit, zone)}", DescribeTimestamps(table));
        Assert.Equal([.. TestTimestamps.Values(unit), .. TestTimestamps.Values(unit, shiftSeconds: 7)], table.Values<long>("t"));
        Assert.All(table.Values<DateTime>("t").OfType<DateTime>(), t => Assert.Equal(zone is null ? DateTimeKind.Unspecified : DateTimeKind.Utc, t.Kind));
    }

    private static string DescribeTimestamps(Table table) => string.Join(", ", table.Schema.FieldsList.Select(f =>
        f.DataType is TimestampType t ? $"{f.Name}: timestamp[{t.Unit}, {t.Timezone ?? "no zone"}]" : $"{f.Name}: {f.DataType.Name}"));
}
