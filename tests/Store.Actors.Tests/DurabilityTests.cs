using Akka.Actor;
using Microsoft.Data.Sqlite;
using Store.Actors.Serialization;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Store.Core.Tests;
using static Store.Actors.StoreProtocol;

namespace Store.Actors.Tests;

/// <summary>The journal: binary events, replay that never applies an append twice, trimming on flush, a fresh start for mode w.</summary>
public class DurabilityTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private ActorStoreOptions Durable(DiskFormat format = DiskFormat.Npy, string mode = "a") =>
        new() { Root = _temp.Path, DiskFormat = format, Mode = mode, Durability = Durability.Journal };

    [Fact]
    public async Task JournalEvents_UseTheBinarySerializer_AndRoundTrip()
    {
        await using var store = ArrayActorStore.Open(Durable());
        var serialization = store.System.Serialization;
        var array = TestArrays.Sequence(DType.Int16, 3, 2);
        var table = TestTables.AllTypes(0, 4);
        object[] events =
        [
            new EntryAppended(array, new IndexRange(5, 3), "p", 9),
            new EntryAppended(table, new IndexRange(0, 4), null, 0),
            new EntryWritten(array, ArrayView.Parse("1:3, [0, 1]")),
            new EntryWritten(table, new TableView(1, 3, ["a"])),
            new PathSnapshot([("p", 9, new IndexRange(5, 3))]),
        ];

        foreach (var e in events)
        {
            var serializer = serialization.FindSerializerFor(e);
            Assert.IsType<StoreSerializer>(serializer);
            var back = serialization.Deserialize(serializer.ToBinary(e), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, e));
            Assert.Equal(e.GetType(), back.GetType());
        }

        var appended = (EntryAppended)serialization.Deserialize(serialization.Serialize(events[0]), 417_311, "A");
        Assert.Equal(array.ToArray<short>(), ((NdArray)appended.Data).ToArray<short>());
        Assert.Equal(new[] { 3L, 2 }, ((NdArray)appended.Data).Shape);
        Assert.Equal((new IndexRange(5, 3), "p", 9L), (appended.Range, appended.ProducerId, appended.Sequence));
        var written = (EntryWritten)serialization.Deserialize(serialization.Serialize(events[3]), 417_311, "W");
        var view = Assert.IsType<TableView>(written.View);
        Assert.Equal((1L, 3L), (view.Start!.Value, view.Stop!.Value));
        Assert.Equal(["a"], view.Columns!);
        Assert.Equal(table.Strings("s"), ((Table)written.Data).Strings("s"));
        Assert.Equal(table.Values<double>("f64"), ((Table)written.Data).Values<double>("f64"));
    }

    [Fact]
    public async Task BatchedChanges_RoundTrip_WithSharedAndDistinctTableSchemas()
    {
        await using var store = TableActorStore.Open(Durable(DiskFormat.Parquet));
        var serialization = store.System.Serialization;
        var narrow = Table.FromColumns(("x", new Apache.Arrow.Int64Array.Builder().Append(7).Build()));
        EntryChanges[] batches =
        [
            new([new EntryAppended(TestTables.AllTypes(0, 1), new IndexRange(0, 1), "p", 1), new EntryAppended(TestTables.AllTypes(1, 3), new IndexRange(1, 3), "p", 2)]),
            new([new EntryAppended(TestTables.AllTypes(0, 2), new IndexRange(0, 2), null, 0), new EntryWritten(narrow, null), new EntryAppended(narrow, new IndexRange(1, 1), "q", 5)]),
            new([new EntryAppended(TestArrays.Sequence(DType.UInt8, 2, 2), new IndexRange(4, 2), "r", 3), new EntryWritten(TestArrays.Sequence(DType.UInt8, 1, 2), ArrayView.Parse("0:1"))]),
        ];

        foreach (var batch in batches)
        {
            var serializer = serialization.FindSerializerFor(batch);
            var back = (EntryChanges)serialization.Deserialize(serializer.ToBinary(batch), 417_311, Akka.Serialization.Serialization.ManifestFor(serializer, batch));
            Assert.Equal(batch.Changes.Count, back.Changes.Count);
            foreach (var (expected, actual) in batch.Changes.Zip(back.Changes))
            {
                Assert.Equal(expected.GetType(), actual.GetType());
                if (expected is EntryAppended e)
                {
                    var a = (EntryAppended)actual;
                    Assert.Equal((e.Range, e.ProducerId, e.Sequence), (a.Range, a.ProducerId, a.Sequence));
                }

                var (expectedData, actualData) = expected is EntryAppended ea ? (ea.Data, ((EntryAppended)actual).Data) : (((EntryWritten)expected).Data, ((EntryWritten)actual).Data);
                if (expectedData is Table table)
                {
                    var read = Assert.IsType<Table>(actualData);
                    Assert.Equal(table.ColumnNames, read.ColumnNames);
                    Assert.Equal(table.RowCount, read.RowCount);
                    Assert.Equal(table.Values<long>(table.ColumnNames.Contains("x") ? "x" : "i64"), read.Values<long>(table.ColumnNames.Contains("x") ? "x" : "i64"));
                }
                else
                {
                    Assert.Equal(((NdArray)expectedData).ToArray<byte>(), Assert.IsType<NdArray>(actualData).ToArray<byte>());
                }
            }
        }
    }

    [Fact]
    public async Task ARunOfSmallTableAppends_IsJournaledAsOneRecordBatch_AndComesBackAppendByAppend()
    {
        await using var store = TableActorStore.Open(Durable(DiskFormat.Parquet));
        var serialization = store.System.Serialization;
        var appends = Enumerable.Range(0, 300).Select(i => new EntryAppended(
            TestTables.AllTypes(i, i % 7 == 0 ? 0 : 1 + (i % 3)), new IndexRange(1000 + i, i % 7 == 0 ? 0 : 1 + (i % 3)), i % 5 == 0 ? null : $"p{i % 3}", i)).ToList();
        var run = new EntryChanges([.. appends]);
        var serializer = serialization.FindSerializerFor(run);
        var bytes = serializer.ToBinary(run);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, run);

        // Each append as a record batch of its own took its Arrow metadata (hundreds of bytes) besides its rows.
        var rows = appends.Sum(a => ((Table)a.Data).RowCount);
        var separately = ((Akka.Serialization.SerializerWithStringManifest)serializer).ToBinary(new EntryChanges([.. appends.Select(a => (object)a).Append(new EntryWritten(TestTables.AllTypes(0, 1), null))]));
        Assert.True(bytes.Length * 3 < separately.Length, $"a run of {rows} rows took {bytes.Length:N0} bytes; record batch by record batch {separately.Length:N0}");

        var back = (EntryChanges)serialization.Deserialize(bytes, 417_311, manifest);
        Assert.Equal(appends.Count, back.Changes.Count);
        foreach (var (expected, actual) in appends.Zip(back.Changes.Cast<EntryAppended>()))
        {
            Assert.Equal((expected.Range, expected.ProducerId, expected.Sequence), (actual.Range, actual.ProducerId, actual.Sequence));
            var table = (Table)expected.Data;
            var read = Assert.IsType<Table>(actual.Data);
            Assert.Equal(table.RowCount, read.RowCount);
            Assert.Equal(table.Values<long>("i64"), read.Values<long>("i64"));
            Assert.Equal(table.Strings("s"), read.Strings("s"));
            Assert.True(read.BufferBytes < 4096, $"an append of {read.RowCount} rows holds {read.BufferBytes:N0} bytes of buffers: the run's");
        }
    }

    [Fact]
    public async Task AnEventOfFrames_IsWrittenOnce_IntoBytesOfItsExactSize()
    {
        await using var store = ArrayActorStore.Open(Durable());
        var serializer = store.System.Serialization.FindSerializerFor(new EntryChanges([]));
        var frames = Enumerable.Range(0, 64).Select(i => TestArrays.Sequence(DType.Float32, 1000, 3)).ToArray();
        var changes = new EntryChanges([.. frames.Select((f, i) => (object)new EntryAppended(f, new IndexRange(i, 1), "p", i))]);
        var dataBytes = frames.Sum(f => (long)f.Bytes.Length);
        serializer.ToBinary(changes); // JIT and first-use allocations out of the way

        var before = GC.GetAllocatedBytesForCurrentThread();
        var bytes = serializer.ToBinary(changes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // One array of the event's size plus the headers' small change (about 1 kB a frame): a growing buffer and its final copy were ~3x.
        Assert.InRange(bytes.Length, dataBytes, dataBytes + 64 * 256);
        Assert.True(allocated < bytes.Length + bytes.Length / 4, $"serializing {bytes.Length:N0} bytes allocated {allocated:N0}");
        var back = (EntryChanges)store.System.Serialization.Deserialize(bytes, serializer.Identifier, "B");
        Assert.Equal(frames.Select(f => f.ToArray<float>()), back.Changes.Select(c => ((NdArray)((EntryAppended)c).Data).ToArray<float>()));
    }

    [Fact]
    public async Task KilledDurablePathActor_ReplaysItsJournal_WithoutApplyingAnythingTwice()
    {
        await using var store = ArrayActorStore.Open(Durable());
        await store.WriteAsync("x", NdArray.From(new[] { 1.0, 2.0, 3.0 }));
        await store.AppendAsync("x", NdArray.From(new[] { 4.0 }), "p", 1);
        await store.WriteAsync("x", NdArray.From(new[] { 20.0 }), ArrayView.Parse("1:2"));
        await store.AppendAsync("x", NdArray.From(new[] { 5.0, 6.0 }), "p", 2);
        (await RobustnessTests.FindPathActor(store, "x")).Tell(Kill.Instance);

        Assert.Equal(new IndexRange(3, 1), await store.AppendAsync("x", NdArray.From(new[] { 4.0 }), "p", 1));
        Assert.Equal(new IndexRange(6, 1), await store.AppendAsync("x", NdArray.From(new[] { 7.0 }), "p", 3));
        var values = await store.ReadAsync("x");
        Assert.Equal([1.0, 20.0, 3.0, 4.0, 5.0, 6.0, 7.0], values!.ToArray<double>());
    }

    [Fact]
    public async Task Flush_DeletesTheJournaledEventsItCovered()
    {
        await using (var store = ArrayActorStore.Open(Durable() with { JournalTrimEvents = 1 }))
        {
            for (var i = 0; i < 20; i++)
            {
                await store.AppendAsync("x", NdArray.From(new[] { (double)i }));
            }

            Assert.Equal(20, LiveEvents("|x"));
            await store.FlushAsync();
            await WaitFor(() => LiveEvents("|x") == 0);
            await store.AppendAsync("x", NdArray.From(new[] { 20.0 }));
            Assert.Equal(1, LiveEvents("|x"));
        }

        await using var reopened = ArrayActorStore.Open(Durable());
        var values = await reopened.ReadAsync("x");
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (double)i), values!.ToArray<double>());
    }

    [Fact]
    public async Task Flush_WithATrimThreshold_LeavesCoveredEventsUntilEnoughAccumulate_AndReplaySkipsThem()
    {
        await using (var store = ArrayActorStore.Open(Durable() with { JournalTrimEvents = 30 }))
        {
            for (var i = 0; i < 20; i++)
            {
                await store.AppendAsync("x", NdArray.From(new[] { (double)i }));
            }

            await store.FlushAsync();
            await Task.Delay(200);
            Assert.Equal(20, LiveEvents("|x"));
            for (var i = 20; i < 40; i++)
            {
                await store.AppendAsync("x", NdArray.From(new[] { (double)i }));
            }

            await store.FlushAsync();
            await WaitFor(() => LiveEvents("|x") == 0);
            for (var i = 40; i < 45; i++)
            {
                await store.AppendAsync("x", NdArray.From(new[] { (double)i }));
            }

            await store.FlushAsync();
        }

        // Covered events still in the journal are replayed onto files that already hold them: skipped, not doubled.
        await using var reopened = ArrayActorStore.Open(Durable() with { JournalTrimEvents = 30 });
        var values = await reopened.ReadAsync("x");
        Assert.Equal(Enumerable.Range(0, 45).Select(i => (double)i), values!.ToArray<double>());
    }

    [Fact]
    public async Task ModeW_StartsAFreshStore_OldJournaledChangesAreNotReplayed()
    {
        await using (var store = TableActorStore.Open(Durable(DiskFormat.Parquet)))
        {
            await store.AppendAsync("t", TestTables.AllTypes(0, 3));
        }

        await using (var store = TableActorStore.Open(Durable(DiskFormat.Parquet, "w")))
        {
            Assert.Empty(await store.AvailableAsync());
            await store.AppendAsync("u", TestTables.AllTypes(0, 2));
        }

        await using var reopened = TableActorStore.Open(Durable(DiskFormat.Parquet));
        Assert.Equal(["u"], await reopened.AvailableAsync());
        Assert.Equal(2L, await reopened.ShapeAsync("u"));
    }

    [Fact]
    public async Task ReadOnlyOpen_OfAJournaledStore_ShowsTheFlushedFilesAndWritesNothing()
    {
        await using (var store = ArrayActorStore.Open(Durable()))
        {
            await store.AppendAsync("x", NdArray.From(new[] { 1.0 }));
        }

        var before = Directory.GetFiles(_temp.Path).Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList();
        await using var reader = ArrayActorStore.Open(Durable(mode: "r"));
        var values = await reader.ReadAsync("x");
        Assert.Equal([1.0], values!.ToArray<double>());
        Assert.Equal(before, Directory.GetFiles(_temp.Path).Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList());
    }

    private long LiveEvents(string pathSuffix)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_temp.Path, ActorStoreOptions.DefaultJournalFile)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal WHERE deleted = 0 AND persistence_id LIKE '%' || $suffix";
        command.Parameters.AddWithValue("$suffix", pathSuffix);
        return (long)command.ExecuteScalar()!;
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
