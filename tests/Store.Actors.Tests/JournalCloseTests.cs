using Microsoft.Data.Sqlite;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>A clean close leaves a small journal: every covered event deleted, the SQLite file compacted, the producer log kept.</summary>
public class JournalCloseTests : IDisposable
{
    private const int Frames = 3000;
    private const int FrameValues = 128; // 1 KiB of float64 per append
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private ActorStoreOptions Durable() => new() { Root = _temp.Path, DiskFormat = DiskFormat.Npy, Durability = Durability.Journal };

    private string JournalFile => Path.Combine(_temp.Path, ActorStoreOptions.DefaultJournalFile);

    [Fact]
    public async Task DisposeAsync_AfterThousandsOfJournaledAppends_LeavesNoCoveredEventAndASmallFile()
    {
        long journaled;
        await using (var store = ArrayActorStore.Open(Durable()))
        {
            // Fewer covered events than JournalTrimEvents (1000) remain after the last flush: only the close can delete them.
            for (var i = 0; i < Frames; i++)
            {
                await store.AppendAsync("x", Frame(i), "p", i + 1);
                if (i == 2399)
                {
                    await store.FlushAsync();
                }
            }

            Assert.True(LiveEvents() >= 600, $"{LiveEvents()} live events before the close");
            journaled = JournalBytes();
            await store.FlushAsync();
        }

        Assert.Equal(0, LiveEvents());
        // What is left: one deleted marker row per path, the producer log's snapshot (3000 entries) and
        // the path registry, in a compacted file: about 130 KiB here, against 7.5 MiB before.
        var payload = (long)Frames * FrameValues * sizeof(double);
        Assert.True(journaled > payload, $"the journal held {journaled} bytes for {payload} bytes of events");
        Assert.True(JournalBytes() < payload / 10, $"the closed journal takes {JournalBytes()} bytes (events were {payload} bytes, the journal {journaled})");

        // The producer log survived the deletion: a retried sequence gets its original rows and is not applied again.
        await using var reopened = ArrayActorStore.Open(Durable());
        Assert.Equal(new IndexRange(1234, 1), await reopened.AppendAsync("x", Frame(1234), "p", 1235));
        Assert.Equal(new IndexRange(Frames - 1, 1), await reopened.AppendAsync("x", Frame(Frames - 1), "p", Frames));
        var shape = await reopened.ShapeAsync("x");
        Assert.Equal(new long[] { Frames, FrameValues }, shape);
    }

    [Fact]
    public async Task DisposeAsync_OfAStoreInAGivenSystem_LeavesNoCoveredEvent_AndTheSystemKeepsServing()
    {
        var options = Durable();
        using var system = Akka.Actor.ActorSystem.Create("given", StoreActorConfig.For(options));
        await using (var store = ArrayActorStore.Open(system, options))
        {
            for (var i = 0; i < 50; i++)
            {
                await store.AppendAsync("x", Frame(i), "p", i + 1);
            }
        }

        Assert.Equal(0, LiveEvents());
        await using var next = ArrayActorStore.Open(system, options);
        Assert.Equal(new IndexRange(10, 1), await next.AppendAsync("x", Frame(10), "p", 11));
        Assert.Equal(new IndexRange(50, 1), await next.AppendAsync("x", Frame(50), "p", 51));
        await next.DisposeAsync();
        await system.Terminate();
    }

    private static NdArray Frame(int i) => NdArray.From(Enumerable.Range(0, FrameValues).Select(v => i + v / 1000.0).ToArray(), 1, FrameValues);

    // The SQLite file and its write-ahead log: what the journal takes on disk.
    private long JournalBytes() =>
        new[] { JournalFile, JournalFile + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    // Events of store paths (not of the path registry) that are not marked deleted.
    private long LiveEvents()
    {
        using var connection = new SqliteConnection($"Data Source={JournalFile};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal WHERE deleted = 0 AND persistence_id LIKE 'store|%'";
        return (long)command.ExecuteScalar()!;
    }
}
