using Akka.Actor;
using Akka.Configuration;
using Store.Actors.Serialization;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Store.Core.Tests;
using static Store.Actors.StoreProtocol;

namespace Store.Actors.Tests;

/// <summary>
/// The store's protocol crosses the network: every command, reply, flush and listing has the binary
/// <see cref="ProtocolSerializer"/> (none falls back to Akka's JSON default), round-trips with its
/// data, and failures come back as the same <see cref="StoreException"/> types with their messages
/// and paths; then a client in a second actor system talks to a store over 127.0.0.1.
/// </summary>
public class ProtocolSerializerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ActorSystem _system = ActorSystem.Create("serialization", StoreActorConfig.Default);

    public void Dispose()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(30));
        _temp.Dispose();
    }

    [Fact]
    public void EveryProtocolMessage_HasTheBinarySerializer()
    {
        // Get answers with a live reference, which belongs to the node that holds the entry: it never crosses.
        var messages = typeof(StoreProtocol).GetNestedTypes().Where(t => t.IsNestedPublic && !t.IsAbstract && t != typeof(Get)).ToList();
        Assert.True(messages.Count >= 20, $"only {messages.Count} message types found");
        foreach (var type in messages)
        {
            Assert.True(_system.Serialization.FindSerializerForType(type) is ProtocolSerializer, $"{type.Name} has no binary serializer");
        }
    }

    [Fact]
    public void CommandsAndReplies_RoundTrip_WithTheirData()
    {
        var array = TestArrays.Sequence(DType.Float32, 4, 3);
        var table = TestTables.AllTypes(0, 5);
        var append = RoundTrip(new Append("runs/a", array, "producer-1", 42));
        Assert.Equal(("runs/a", "producer-1", 42L), (append.Path, append.ProducerId, append.Sequence));
        Assert.Equal(array.ToArray<float>(), ((NdArray)append.Data).ToArray<float>());
        Assert.Equal(array.Shape.ToArray(), ((NdArray)append.Data).Shape.ToArray());

        var write = RoundTrip(new Write("t", table, new TableView(1, 4, ["s", "i64"])));
        Assert.Equal(table.Strings("s"), ((Table)write.Data).Strings("s"));
        Assert.Equal(["s", "i64"], ((TableView)write.View!).Columns!);
        Assert.Equal("1:3, [0, 2]", ((ArrayView)RoundTrip(new Read("a", ArrayView.Parse("1:3, [0, 2]"))).View!).ToString());
        Assert.Equal(new Query("t", "ens0", null, 7, "x > 1"), RoundTrip(new Query("t", "ens0", null, 7, "x > 1")));
        Assert.Equal(new ReadColumn("t", "s"), RoundTrip(new ReadColumn("t", "s")));
        Assert.Equal(new Shape("a"), RoundTrip(new Shape("a")));
        Assert.Equal(new Compact("t"), RoundTrip(new Compact("t")));
        Assert.Equal(new DTypeOf("a"), RoundTrip(new DTypeOf("a")));
        var iter = RoundTrip(new IterViews("a", [100, 3], ArrayView.Parse("0:50"), 10));
        Assert.Equal(new long[] { 100, 3 }, iter.Elements!.ToArray());
        Assert.Equal(("0:50", (int?)10), (iter.View!.ToString(), iter.ChunkSize));
        var batch = RoundTrip(new CommandBatch("t", [new Append("t", table, "p", 1), new Append("t", table, null, 0), new Read("t")]));
        Assert.Equal([typeof(Append), typeof(Append), typeof(Read)], batch.Commands.Select(c => c.GetType()));
        Assert.Equal(table.Values<long>("i64"), ((Table)((Append)batch.Commands[1]).Data).Values<long>("i64"));

        Assert.Same(Written.Instance, RoundTrip(Written.Instance));
        Assert.Equal(new Appended(new IndexRange(10, 5), "p", 3), RoundTrip(new Appended(new IndexRange(10, 5), "p", 3)));
        Assert.Null(RoundTrip(new ReadResult(null)).Value);
        Assert.Equal(new long[] { 4, 3 }, (long[])RoundTrip(new ReadResult(new long[] { 4, 3 })).Value!);
        Assert.Equal(5L, RoundTrip(new ReadResult(5L)).Value);
        Assert.Equal(true, RoundTrip(new ReadResult(true)).Value);
        Assert.Equal(DType.Float32, RoundTrip(new ReadResult(DType.Float32)).Value);
        Assert.Equal(table.Strings("s"), ((Table)RoundTrip(new ReadResult(table)).Value!).Strings("s"));
        var column = (Apache.Arrow.StringArray)RoundTrip(new ReadResult(table.Column("s"))).Value!;
        Assert.Equal(table.Strings("s"), Enumerable.Range(0, column.Length).Select(i => column.GetString(i)));
        var views = (IEnumerable<ArrayView>)RoundTrip(new ReadResult(new[] { ArrayView.Parse("0:2"), ArrayView.Parse("2:4") })).Value!;
        Assert.Equal(["0:2", "2:4"], views.Select(v => v.ToString()));
        var replies = RoundTrip(new BatchReplies([new Appended(new IndexRange(0, 1), null, 0), new ReadFailed(new SchemaException("bad", "t"))]));
        Assert.IsType<SchemaException>(Assert.IsType<ReadFailed>(replies.Replies[1]).Cause);

        Assert.Same(Flush.Instance, RoundTrip(Flush.Instance));
        Assert.Equal("one", RoundTrip(new Flush("one")).Path);
        Assert.Same(Available.Instance, RoundTrip(Available.Instance));
        Assert.Equal(["a", "b/c"], RoundTrip(new AvailableEntries(["a", "b/c"])).Paths);
        var report = RoundTrip(new FlushFailed(new FlushReport([new PathFlushOutcome("a", null), new PathFlushOutcome("b", new JournalException("disk full", "b"))]))).Report;
        Assert.Equal(["a", "b"], report.Outcomes.Select(o => o.Path));
        Assert.Null(report.Outcomes[0].Error);
        Assert.Equal(("disk full", "b"), (report.Failures[0].Error!.Message, ((StoreException)report.Failures[0].Error!).EntryPath));
        Assert.IsType<JournalException>(report.Failures[0].Error);
        Assert.True(RoundTrip(new Flushed(new FlushReport([new PathFlushOutcome("a", null)]))).Report.Succeeded);
    }

    [Fact]
    public void ABatchOfSmallTableAppends_SharesOneStream_AndComesBackAppendByAppend()
    {
        static Table Row(long step, string run) => Table.FromColumns(("run_id", TableColumn.Of([run])), ("step", TableColumn.Of<long>([step])));
        var other = Table.FromColumns(("step", TableColumn.Of<double>([0.5])));
        var array = TestArrays.Sequence(DType.Float32, 2, 3);
        List<PathCommand> commands =
        [
            .. Enumerable.Range(0, 200).Select(i => new Append("energies", Row(i, $"run{i % 3}"), $"p{i % 3}", i)),
            new Append("energies", other, "q", 1),                                 // another schema ends the run
            new Append("energies", Table.FromColumns(("step", TableColumn.Of<double>([1.5, 2.5]))), null, 0),
            new Append("energies", Row(7, "run7").Slice(0, 0), "p0", 500),        // no rows
            new Read("energies"),
            new Append("frames", array, "p", 3),
        ];
        var batch = RoundTrip(new CommandBatch("energies", commands));

        Assert.Equal(commands.Count, batch.Commands.Count);
        for (var i = 0; i < 200; i++)
        {
            var append = Assert.IsType<Append>(batch.Commands[i]);
            Assert.Equal(("energies", $"p{i % 3}", (long)i), (append.Path, append.ProducerId, append.Sequence));
            var table = (Table)append.Data;
            Assert.Equal([(long?)i], table.Values<long>("step"));
            Assert.Equal($"run{i % 3}", Assert.Single(table.Strings("run_id")));
            Assert.True(table.BufferBytes < 1024, $"append {i} holds {table.BufferBytes} bytes of buffers for one row");
        }

        Assert.Equal([0.5], ((Table)((Append)batch.Commands[200]).Data).Values<double>("step").Select(v => v!.Value));
        Assert.Equal([1.5, 2.5], ((Table)((Append)batch.Commands[201]).Data).Values<double>("step").Select(v => v!.Value));
        Assert.Equal((0L, "p0", 500L), (((Table)((Append)batch.Commands[202]).Data).RowCount, ((Append)batch.Commands[202]).ProducerId, ((Append)batch.Commands[202]).Sequence));
        Assert.IsType<Read>(batch.Commands[203]);
        Assert.Equal(array.ToArray<float>(), ((NdArray)((Append)batch.Commands[204]).Data).ToArray<float>());

        // The rows travel together: far fewer bytes than 200 appends sent one by one.
        var serializer = _system.Serialization.FindSerializerFor(batch);
        var together = serializer.ToBinary(new CommandBatch("energies", commands.Take(200).ToList())).Length;
        var apart = commands.Take(200).Sum(c => serializer.ToBinary(c).Length);
        Assert.True(together * 4 < apart, $"200 one-row appends take {together} bytes in one batch, {apart} apart");
    }

    public static TheoryData<Exception> Failures =>
    [
        new StoreException("plain", "p"), new StoreModeException("read-only", "p"), new SchemaException("columns", "t"),
        new CorruptDataException("bad magic", "f.npy"), new ShapeException("shape", "a"), new EntryNotFoundException("missing", "x"),
        new InvalidPathException("bad path", "../x"), new FilterException("Filter 'x >' at position 3", "t", 3),
        new StoreLockedException("held by pid 7", "/root"), new ResultTooLargeException("too large", "t"),
        new StoreTimeoutException("late", "p"), new JournalException("journal", "p"), new StoreException("no path"),
    ];

    [Theory]
    [MemberData(nameof(Failures))]
    public void Failures_ComeBackAsTheSameTypeWithMessageAndPath(Exception cause)
    {
        foreach (var reply in new object[] { new ReadFailed(cause), new WriteFailed(cause), new AppendFailed(cause, "p", 9) })
        {
            var error = RoundTrip(reply) switch
            {
                ReadFailed r => r.Cause,
                WriteFailed w => w.Cause,
                AppendFailed a => a.Cause,
                var other => throw new InvalidOperationException(other.GetType().Name),
            };
            Assert.Equal(cause.GetType(), error.GetType());
            Assert.Equal(cause.Message, error.Message);
            Assert.Equal(((StoreException)cause).EntryPath, ((StoreException)error).EntryPath);
            Assert.Equal((cause as FilterException)?.Position, (error as FilterException)?.Position);
        }
    }

    [Fact]
    public void OtherExceptions_ComeBackAsStoreExceptionsNamingTheirType()
    {
        var error = RoundTrip(new ReadFailed(new InvalidOperationException("something broke"))).Cause;
        Assert.Equal(typeof(StoreException), error.GetType());
        Assert.Equal("InvalidOperationException: something broke", error.Message);
    }

    [Fact]
    public async Task ClientInAnotherActorSystem_UsesAStoreOverLoopback_AndGetsTypedFailures()
    {
        var remote = ConfigurationFactory.ParseString(
            """
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            """);
        var server = ActorSystem.Create("server", remote.WithFallback(StoreActorConfig.Default));
        var client = ActorSystem.Create("client", remote.WithFallback(StoreActorConfig.Default));
        try
        {
            await using var store = TableActorStore.Open(server, new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Parquet });
            var address = ((ExtendedActorSystem)server).Provider.DefaultAddress;
            var coordinator = await client.ActorSelection(store.Coordinator.Path.ToStringWithAddress(address)).ResolveOne(TimeSpan.FromSeconds(10));
            Assert.Equal(address, coordinator.Path.Address);
            var timeout = TimeSpan.FromSeconds(30);

            var rows = TestTables.AllTypes(0, 6);
            var appended = await coordinator.Ask<object>(new Append("runs/t", rows, "p", 1), timeout);
            Assert.Equal(new Appended(new IndexRange(0, 6), "p", 1), appended);
            Assert.Equal(new Appended(new IndexRange(0, 6), "p", 1), await coordinator.Ask<object>(new Append("runs/t", rows, "p", 1), timeout)); // a retry
            var flushed = Assert.IsType<Flushed>(await coordinator.Ask<object>(Flush.Instance, timeout));
            Assert.Equal(["runs/t"], flushed.Report.Outcomes.Select(o => o.Path));
            var read = Assert.IsType<ReadResult>(await coordinator.Ask<object>(new Read("runs/t", new TableView(2, 5)), timeout));
            Assert.Equal(rows.Strings("s").Skip(2).Take(3), ((Table)read.Value!).Strings("s"));
            Assert.Equal(["runs/t"], Assert.IsType<AvailableEntries>(await coordinator.Ask<object>(Available.Instance, timeout)).Paths);

            var badFilter = Assert.IsType<ReadFailed>(await coordinator.Ask<object>(new Query("runs/t", Filter: "i64 >"), timeout));
            Assert.Contains("at position", Assert.IsType<FilterException>(badFilter.Cause).Message);
            var badPath = Assert.IsType<AppendFailed>(await coordinator.Ask<object>(new Append("../escape", rows, "p", 2), timeout));
            Assert.IsType<InvalidPathException>(badPath.Cause);
            var badSchema = Assert.IsType<AppendFailed>(await coordinator.Ask<object>(new Append("runs/t", Table.FromColumns(("other", TableColumn.Of<long>([1]))), "p", 3), timeout));
            Assert.IsType<SchemaException>(badSchema.Cause);
            Assert.Equal(6L, Assert.IsType<ReadResult>(await coordinator.Ask<object>(new Shape("runs/t"), timeout)).Value); // and it keeps serving
        }
        finally
        {
            await client.Terminate();
            await server.Terminate();
        }
    }

    private T RoundTrip<T>(T message)
        where T : notnull
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<ProtocolSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return (T)_system.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }
}
