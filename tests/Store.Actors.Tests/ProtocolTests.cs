using Akka.Actor;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;
using static Store.Actors.StoreProtocol;

namespace Store.Actors.Tests;

/// <summary>The protocol as an actor producer sees it: commands told to the coordinator, replies in pairs, batches in order.</summary>
public class ProtocolTests() : Akka.TestKit.Xunit2.TestKit(StoreActorConfig.Default)
{
    private readonly TempFolder _temp = new();

    protected override void AfterAll()
    {
        base.AfterAll();
        _temp.Dispose();
    }

    [Fact]
    public void Append_ToldByAnActor_RepliesAppendedWithProducerAndSequence()
    {
        var store = ArrayActorStore.Open(Sys, ActorStoreOptions.InMemory);
        store.Coordinator.Tell(new Append("x", NdArray.From(new[] { 1.0, 2.0 }), "p", 1));
        store.Coordinator.Tell(new Append("x", NdArray.From(new[] { 3.0 }), "p", 2));
        store.Coordinator.Tell(new Append("x", NdArray.From(new[] { 1.0, 2.0 }), "p", 1));

        Assert.Equal(new Appended(new IndexRange(0, 2), "p", 1), ExpectMsg<Appended>());
        Assert.Equal(new Appended(new IndexRange(2, 1), "p", 2), ExpectMsg<Appended>());
        Assert.Equal(new Appended(new IndexRange(0, 2), "p", 1), ExpectMsg<Appended>());
    }

    [Fact]
    public void Batch_AppliesCommandsInOrder_AndRepliesOnePerCommand()
    {
        var store = ArrayActorStore.Open(Sys, ActorStoreOptions.InMemory);
        store.Coordinator.Tell(new CommandBatch("x",
        [
            new Append("x", NdArray.From(new[] { 1L, 2 })),
            new Shape("x"),
            new Append("x", NdArray.From(new[] { 1.0 })),
            new Write("x", NdArray.From(new[] { 9L }), ArrayView.Parse("0:1")),
            new Read("x"),
        ]));

        var replies = ExpectMsg<BatchReplies>().Replies;
        Assert.Equal(new IndexRange(0, 2), Assert.IsType<Appended>(replies[0]).Range);
        Assert.Equal([2L], (long[])Assert.IsType<ReadResult>(replies[1]).Value!);
        Assert.IsType<ShapeException>(Assert.IsType<AppendFailed>(replies[2]).Cause);
        Assert.Same(Written.Instance, replies[3]);
        Assert.Equal([9L, 2], ((NdArray)Assert.IsType<ReadResult>(replies[4]).Value!).ToArray<long>());
    }

    [Fact]
    public void InvalidPath_IsRefusedByTheCoordinator_WithoutStartingAnActor()
    {
        var store = ArrayActorStore.Open(Sys, ActorStoreOptions.InMemory);
        store.Coordinator.Tell(new Append("a/../../b", NdArray.From(new[] { 1.0 }), "p", 3));
        var failed = ExpectMsg<AppendFailed>();
        Assert.IsType<InvalidPathException>(failed.Cause);
        Assert.Equal(("p", 3L), (failed.ProducerId, failed.Sequence));
        store.Coordinator.Tell(Available.Instance);
        Assert.Empty(ExpectMsg<AvailableEntries>().Paths);
    }

    [Fact]
    public void Flush_RepliesOneReportListingEveryPath()
    {
        var store = ArrayActorStore.Open(Sys, new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy });
        store.Coordinator.Tell(new Append("b", NdArray.From(new[] { 1.0 })));
        store.Coordinator.Tell(new Append("a", NdArray.From(new[] { 1.0 })));
        ExpectMsg<Appended>();
        ExpectMsg<Appended>();
        store.Coordinator.Tell(StoreProtocol.Flush.Instance);

        var report = ExpectMsg<Flushed>().Report;
        Assert.Equal(["a", "b"], report.Outcomes.Select(o => o.Path));
        Assert.True(File.Exists(_temp.Sub("a.npy")) && File.Exists(_temp.Sub("b.npy")));
    }

    [Fact]
    public void Flush_WithAPath_RepliesAReportOfThatPathOnly()
    {
        var store = ArrayActorStore.Open(Sys, new ActorStoreOptions { Root = _temp.Sub("one"), DiskFormat = DiskFormat.Npy });
        store.Coordinator.Tell(new Append("a", NdArray.From(new[] { 1.0 })));
        store.Coordinator.Tell(new Append("b", NdArray.From(new[] { 1.0 })));
        ExpectMsg<Appended>();
        ExpectMsg<Appended>();
        store.Coordinator.Tell(new StoreProtocol.Flush("a"));

        Assert.Equal(["a"], ExpectMsg<Flushed>().Report.Outcomes.Select(o => o.Path));
        Assert.True(File.Exists(_temp.Sub("one/a.npy")));
        Assert.False(File.Exists(_temp.Sub("one/b.npy")));
    }

    [Fact]
    public void DTypeOfReadColumnAndIterViews_ToTheirKindOfStore_ReplyReadResult()
    {
        var arrays = ArrayActorStore.Open(Sys, ActorStoreOptions.InMemory);
        var tables = TableActorStore.Open(Sys, ActorStoreOptions.InMemory);
        arrays.Coordinator.Tell(new Append("x", NdArray.From(new[] { 1f, 2f, 3f })));
        tables.Coordinator.Tell(new Append("t", Store.Core.Tables.Table.FromColumns(("c", Store.Core.Tables.TableColumn.Of<long>([1L, 2L])))));
        ExpectMsg<Appended>();
        ExpectMsg<Appended>();

        arrays.Coordinator.Tell(new DTypeOf("x"));
        Assert.Equal(DType.Float32, ExpectMsg<ReadResult>().Value);
        tables.Coordinator.Tell(new ReadColumn("t", "c"));
        Assert.Equal([1L, 2L], ((Apache.Arrow.Int64Array)ExpectMsg<ReadResult>().Value!).Values.ToArray());
        arrays.Coordinator.Tell(new IterViews("x", ChunkSize: 2));
        Assert.Equal(["0:2", "2:3"], ((IEnumerable<ArrayView>)ExpectMsg<ReadResult>().Value!).Select(v => v.ToString()));
    }

    [Fact]
    public void ArrayOnlyAndTableOnlyCommands_ToTheOtherKindOfStore_ReplyReadFailedNamingWhy()
    {
        var arrays = ArrayActorStore.Open(Sys, ActorStoreOptions.InMemory);
        var tables = TableActorStore.Open(Sys, ActorStoreOptions.InMemory);

        arrays.Coordinator.Tell(new ReadColumn("x", "c"));
        Assert.Contains("holds arrays", ExpectMsg<ReadFailed>().Cause.Message);
        tables.Coordinator.Tell(new DTypeOf("t"));
        Assert.Contains("holds tables", ExpectMsg<ReadFailed>().Cause.Message);
        tables.Coordinator.Tell(new IterViews("t"));
        Assert.Contains("holds tables", ExpectMsg<ReadFailed>().Cause.Message);
    }
}
