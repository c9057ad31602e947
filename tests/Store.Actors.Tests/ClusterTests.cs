using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Store.Core.Tests;
using Xunit.Abstractions;

namespace Store.Actors.Tests;

/// <summary>
/// Cluster mode in one process: three store nodes and one client node as actor systems on
/// 127.0.0.1, each store node reaching the shared root through its own symlink, the journal on the
/// throwaway PostgreSQL. Appends from the client land on several nodes; flush and available cover
/// the whole cluster; a node that leaves hands its paths over flushed, and producer retries are
/// answered with the original ranges; a node downed with journaled, unflushed appends loses none.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTests(PostgresFixture postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const string StoreId = "cluster-test";
    private const int Paths = 8;
    private readonly TempFolder _temp = new();
    private readonly List<(ActorSystem System, TableActorStore Store)> _nodes = [];
    private string _root = "";
    private string _journal = "";

    public Task InitializeAsync()
    {
        _root = _temp.Sub("shared");
        Directory.CreateDirectory(_root);
        _journal = postgres.Server.CreateDatabase("cluster");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var (system, store) in Enumerable.Reverse(_nodes))
        {
            try
            {
                await store.DisposeAsync();
            }
            catch (Exception e) when (e is StoreException or ObjectDisposedException or AskTimeoutException or TaskCanceledException)
            {
                // A node the test stopped.
            }

            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _temp.Dispose();
    }

    private ActorStoreOptions Options(string root) => new()
    {
        Root = root, DiskFormat = DiskFormat.Parquet, Durability = Durability.Journal, JournalProvider = "PostgreSQL.15",
        JournalConnectionString = _journal, StoreId = StoreId, Cluster = new ClusterStoreOptions { NumberOfShards = 12 },
        FlushTimeout = TimeSpan.FromSeconds(30), AskTimeout = TimeSpan.FromSeconds(30),
    };

    // Starts the nodes (store nodes first, then one client), each opening its store before it joins, and waits for all of them to be up.
    // extraConfig applies to the store nodes after the first (which runs the shard coordinator), everyNodeConfig to all.
    private async Task<TableActorStore> StartCluster(int storeNodes = 3, string extraConfig = "", string everyNodeConfig = "")
    {
        for (var n = 0; n < storeNodes + 1; n++)
        {
            StartNode(n < storeNodes ? "store" : "client", everyNodeConfig + "\n" + (n is > 0 && n < storeNodes ? extraConfig : ""));
        }

        await WaitUntilUp();

        // Every store node's region registered with the shard coordinator, so the first appends spread
        // over all of them (a shard allocated before a region registered stays where it went when rebalancing is off).
        var region = await _nodes[0].System.ActorSelection($"/system/sharding/store-table-{StoreId}").ResolveOne(TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10))).Regions.Count < storeNodes)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the {storeNodes} store nodes' regions did not all register within 60 s");
            await Task.Delay(100);
        }

        return _nodes[^1].Store;
    }

    // One node: its own path to the shared root, its store opened (its region started) before it joins the first node.
    private (ActorSystem System, TableActorStore Store) StartNode(string role, string extraConfig = "")
    {
        var root = _temp.Sub($"node-{_nodes.Count}");
        File.CreateSymbolicLink(root, _root);
        var config = ConfigurationFactory.ParseString(
            $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.cluster.roles = [{{role}}]
            akka.cluster.split-brain-resolver.stable-after = 3s
            akka.cluster.sharding.handoff-timeout = 40s
            akka.cluster.sharding.rebalance-interval = 1s
            akka.loglevel = WARNING
            {{extraConfig}}
            """).WithFallback(StoreActorConfig.For(Options(root)));
        var system = ActorSystem.Create("store", config);
        var store = TableActorStore.Open(system, Options(root));
        _nodes.Add((system, store));
        Cluster.Get(system).Join(Cluster.Get(_nodes[0].System).SelfAddress);
        return (system, store);
    }

    private async Task WaitUntilUp()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Cluster.Get(_nodes[0].System).State.Members.Count(m => m.Status == MemberStatus.Up) < _nodes.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the cluster did not form within 60 s");
            await Task.Delay(100);
        }
    }

    private static Table Rows(int path, long sequence) => Table.FromColumns(
        ("path", TableColumn.Of<long>([path, path])),
        ("sequence", TableColumn.Of<long>([sequence, sequence])),
        ("part", TableColumn.Of<long>([0, 1])));

    // Appends `rounds` appends to each path from the client, producer "p<path>", sequences from `from`; returns their ranges.
    private static async Task<Dictionary<(int, long), IndexRange>> Append(TableActorStore client, long from, long rounds)
    {
        var ranges = new Dictionary<(int, long), IndexRange>();
        for (var sequence = from; sequence < from + rounds; sequence++)
        {
            var appended = await Task.WhenAll(Enumerable.Range(0, Paths).Select(p => client.AppendAsync($"runs/p{p}", Rows(p, sequence), $"p{p}", sequence)));
            for (var p = 0; p < Paths; p++)
            {
                ranges[(p, sequence)] = appended[p];
            }
        }

        return ranges;
    }

    // Every path's files hold each of its appends once, in sequence order, at the range it was acknowledged with.
    private void AssertFilesHoldExactly(long appends, Dictionary<(int, long), IndexRange> ranges)
    {
        using var reader = new TableStore(_root, "r");
        for (var p = 0; p < Paths; p++)
        {
            var table = reader.Read($"runs/p{p}") ?? throw new Xunit.Sdk.XunitException($"runs/p{p} has no files");
            var sequences = table.Values<long>("sequence");
            Assert.Equal(Enumerable.Range(0, (int)appends).SelectMany(s => new long?[] { s, s }), sequences);
            Assert.All(table.Values<long>("path"), v => Assert.Equal(p, v));
            foreach (var ((path, sequence), range) in ranges.Where(r => r.Key.Item1 == p))
            {
                Assert.Equal(new IndexRange(sequence * 2, 2), range);
            }
        }
    }

    // The paths each node's region holds entities for, by node (none for client nodes and the node `gone`).
    // Settled: waits until every path is held by one node; a shard being rebalanced is held by none for a moment.
    private async Task<List<HashSet<string>>> EntitiesPerNode(int? gone = null, bool settled = true)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var held = await EntitiesPerNodeNow(gone);
            if (!settled || held.Sum(h => h.Count) == Paths)
            {
                return held;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the paths were not each held by one node within 30 s: {string.Join(", ", held.Select(h => h.Count))}");
            await Task.Delay(100);
        }
    }

    private async Task<List<HashSet<string>>> EntitiesPerNodeNow(int? gone)
    {
        var held = new List<HashSet<string>>();
        foreach (var (system, _) in _nodes)
        {
            if (held.Count == gone || !Cluster.Get(system).SelfRoles.Contains("store"))
            {
                held.Add([]);
                continue;
            }

            var region = await system.ActorSelection($"/system/sharding/store-table-{StoreId}").ResolveOne(TimeSpan.FromSeconds(10));
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
            held.Add([.. state.Shards.SelectMany(s => s.EntityIds).Select(Uri.UnescapeDataString)]);
        }

        return held;
    }

    [Fact]
    public async Task AppendsFromAClient_LandOnSeveralNodes_AndFlushAndAvailableCoverTheCluster()
    {
        var client = await StartCluster();
        var ranges = await Append(client, 0, 5);
        var perNode = (await EntitiesPerNode()).Select(h => h.Count).ToList();
        output.WriteLine($"entities per store node: {string.Join(", ", perNode)}");
        Assert.Equal(Paths, perNode.Sum());
        Assert.True(perNode.Count(c => c > 0) >= 2, $"every path landed on one node: {string.Join(", ", perNode)}");

        Assert.Equal(Enumerable.Range(0, Paths).Select(p => $"runs/p{p}"), await client.AvailableAsync()); // unflushed: from the nodes' memory
        var report = await client.FlushAsync();
        Assert.Equal(Enumerable.Range(0, Paths).Select(p => $"runs/p{p}"), report.Outcomes.Select(o => o.Path));
        AssertFilesHoldExactly(5, ranges);
        Assert.Equal(["runs/p3"], (await client.FlushAsync("runs/p3")).Outcomes.Select(o => o.Path));
        Assert.Equal(ranges[(3, 2)], await client.AppendAsync("runs/p3", Rows(3, 2), "p3", 2)); // a retry
        var read = await client.QueryAsync("runs/p5", filter: "sequence >= 3");
        Assert.Equal([3L, 3L, 4L, 4L], read!.Values<long>("sequence").Select(v => v!.Value));
        var typed = await Assert.ThrowsAsync<SchemaException>(() => client.AppendAsync("runs/p1", Table.FromColumns(("other", TableColumn.Of<long>([1]))), "x", 1));
        Assert.Contains("runs/p1", typed.Message);
        await Assert.ThrowsAsync<InvalidPathException>(() => client.AppendAsync("../escape", Rows(0, 0)));
    }

    [Fact]
    public async Task NodeLeavingGracefully_HandsItsPathsOverFlushed_AndRetriesGetTheOriginalRanges()
    {
        var client = await StartCluster();
        var ranges = await Append(client, 0, 4);

        // The store node (not the first, which runs the shard coordinator) that holds the most paths leaves.
        var held = await EntitiesPerNode();
        var index = held[1].Count >= held[2].Count ? 1 : 2;
        var leaving = _nodes[index];
        output.WriteLine($"node {index + 1} holds {string.Join(", ", held[index].Order())}");
        Assert.NotEmpty(held[index]);

        // Its store hands its shards over (GracefulShutdown of its region): each path flushes what
        // it holds and lets go of it before its next owner starts. Then the node leaves.
        await leaving.Store.DisposeAsync();
        using (var reader = new TableStore(_root, "r"))
        {
            foreach (var path in held[index])
            {
                Assert.Equal(8, reader.Read(path)!.RowCount); // all 4 appends, flushed by the handover
            }
        }

        await Cluster.Get(leaving.System).LeaveAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Retries of every append so far are answered with their original ranges, wherever the paths went.
        foreach (var ((p, sequence), range) in ranges)
        {
            Assert.Equal(range, await client.AppendAsync($"runs/p{p}", Rows(p, sequence), $"p{p}", sequence));
        }

        var more = await Append(client, 4, 2);
        await client.FlushAsync();
        AssertFilesHoldExactly(6, ranges.Concat(more).ToDictionary());
        var survivors = await EntitiesPerNode(gone: index);
        Assert.Equal(Paths, survivors.Sum(h => h.Count));
    }

    [Fact]
    public async Task FlushesWhileANodeHandsItsPathsOver_AnswerPromptly_AndNoneFails()
    {
        var client = await StartCluster();
        var ranges = await Append(client, 0, 3);
        var held = await EntitiesPerNode();
        var index = held[1].Count >= held[2].Count ? 1 : 2;
        Assert.NotEmpty(held[index]);

        // Cluster-wide flushes from the client, one after another, while a store node hands its paths
        // over and leaves: a flush that meets a path as it moves (or the node as it goes) counts the
        // handover and answers at once, instead of waiting out the flush timeout (30 s here) for a reply
        // that never comes.
        using var stop = new CancellationTokenSource();
        var times = new List<TimeSpan>();
        var flushing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var report = await client.FlushAsync();
                times.Add(clock.Elapsed);
                Assert.True(report.Succeeded, string.Join("; ", report.Outcomes.Where(o => o.Error is not null).Select(o => $"{o.Path}: {o.Error!.Message}")));
            }
        });
        await Task.Delay(200);
        await _nodes[index].Store.DisposeAsync();
        await Cluster.Get(_nodes[index].System).LeaveAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(1000);
        stop.Cancel();
        await flushing.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{times.Count} flushes, the longest {times.Max().TotalMilliseconds:0} ms");
        Assert.True(times.Count >= 3, $"only {times.Count} flushes ran");
        Assert.True(times.Max() < TimeSpan.FromSeconds(15), $"a flush took {times.Max()}");
        AssertFilesHoldExactly(3, ranges);
    }

    [Fact]
    public async Task EveryStoreNodeClosingAtOnce_EachCloseFinishesPromptly_AndTheFilesHoldEveryAppend()
    {
        var client = await StartCluster();
        var ranges = await Append(client, 0, 3);

        // Store nodes that close together hand their shards to each other while each is shutting down
        // its region; the last region's shutdown must not wait (30 s here, the flush timeout) for
        // shards the coordinator will give no region that is shutting down.
        var closes = _nodes.Take(3).Select(node => Task.Run(async () =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await node.Store.DisposeAsync();
            return clock.Elapsed;
        })).ToList();
        var times = await Task.WhenAll(closes).WaitAsync(TimeSpan.FromSeconds(120));
        output.WriteLine($"closes took {string.Join(", ", times.Select(t => $"{t.TotalSeconds:0.0} s"))}");
        Assert.All(times, t => Assert.True(t < TimeSpan.FromSeconds(20), $"a close took {t}"));
        AssertFilesHoldExactly(3, ranges);
    }

    [Fact]
    public async Task Rebalance_ToANewNode_FlushesWhatTheOldOwnerHeld_BeforeTheNewOneServes()
    {
        var client = await StartCluster(storeNodes: 2);
        var ranges = await Append(client, 0, 3); // acknowledged, journaled, not flushed

        // A third store node joins: the shard coordinator moves shards to it (every second here),
        // and each moved path's old owner flushes it before letting go. Nobody asked for a flush.
        var (joined, _) = StartNode("store");
        await WaitUntilUp();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HashSet<string> moved;
        while ((moved = (await EntitiesPerNode(settled: false))[^1]).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no shard moved to the new node within 60 s");
            await Task.Delay(250);
        }

        output.WriteLine($"moved to the new node: {string.Join(", ", moved.Order())}");
        using (var reader = new TableStore(_root, "r"))
        {
            foreach (var path in moved)
            {
                Assert.Equal(6, reader.Read(path)?.RowCount ?? 0); // the 3 appends, flushed by the handover
            }
        }

        foreach (var ((p, sequence), range) in ranges)
        {
            Assert.Equal(range, await client.AppendAsync($"runs/p{p}", Rows(p, sequence), $"p{p}", sequence)); // retries, wherever the path is now
        }

        await client.FlushAsync();
        AssertFilesHoldExactly(3, ranges);
    }

    [Fact]
    public async Task NodeDowned_WithJournaledUnflushedAppends_LosesNoneAndDuplicatesNone()
    {
        // The store nodes that may be downed neither flush nor hand over when they go: as after a crash.
        // No rebalance either: a shard moved by one flushes what it holds.
        var client = await StartCluster(
            extraConfig: """
                akka.coordinated-shutdown.run-by-actor-system-terminate = off
                akka.cluster.run-coordinated-shutdown-when-down = off
                """,
            everyNodeConfig: "akka.cluster.sharding.rebalance-interval = 1h");
        var ranges = await Append(client, 0, 3);
        var held = await EntitiesPerNode();
        var index = held[1].Count >= held[2].Count ? 1 : 2;
        var victim = _nodes[index];
        Assert.NotEmpty(held[index]);

        foreach (var (key, range) in await Append(client, 3, 1))
        {
            ranges[key] = range;
        }

        output.WriteLine($"node {index + 1} holds {string.Join(", ", held[index].Order())}: downed with their appends unflushed");
        var address = Cluster.Get(victim.System).SelfAddress;
        Cluster.Get(_nodes[0].System).Down(address);
        await victim.System.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        using (var reader = new TableStore(_root, "r"))
        {
            output.WriteLine($"rows in the files when it went: {string.Join(", ", held[index].Order().Select(path => $"{path} {reader.Read(path)?.RowCount ?? 0}"))} of 8");
            Assert.All(held[index], path => Assert.Null(reader.Read(path))); // nothing of them reached the files
        }

        // Its remembered paths restart on the survivors and replay their journals; the retries and a flush follow.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await EntitiesPerNode(gone: index, settled: false)).Sum(h => h.Count) < Paths)
        {
            Assert.True(DateTime.UtcNow < deadline, "the downed node's paths did not restart on the survivors within 90 s");
            await Task.Delay(250);
        }

        foreach (var ((p, sequence), range) in ranges)
        {
            Assert.Equal(range, await client.AppendAsync($"runs/p{p}", Rows(p, sequence), $"p{p}", sequence));
        }

        var more = await Append(client, 4, 1);
        Assert.True((await client.FlushAsync()).Succeeded);
        AssertFilesHoldExactly(5, ranges.Concat(more).ToDictionary());
    }

    [Fact]
    public async Task ManySmallAppendsInFlight_TravelInBatchesWithinTheFrame_AndOversizedOrLiveRequestsAreRefused()
    {
        var client = await StartCluster(storeNodes: 1);

        // 3,000 one-row appends at once: queued together, they go in batches that each fit remoting's frame (128,000 bytes by default).
        var appends = await Task.WhenAll(Enumerable.Range(0, 3_000).Select(i => client.AppendAsync("many", Rows(0, i), "producer", i)));
        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => new IndexRange(2L * i, 2)), appends);

        var big = Table.FromColumns(("x", TableColumn.Of<long>([.. Enumerable.Range(0, 40_000).Select(i => (long)i)])));
        var tooBig = await Assert.ThrowsAsync<StoreException>(() => client.AppendAsync("big", big));
        Assert.Contains("maximum-frame-size", tooBig.Message);
        Assert.Contains("'big'", tooBig.Message);
        var live = await Assert.ThrowsAsync<StoreException>(() => client.GetAsync("many"));
        Assert.Contains("ReadAsync", live.Message);

        // 6,000 rows of 3 numbers do not fit one message back: refused, typed; parts of them do.
        var whole = await Assert.ThrowsAsync<ResultTooLargeException>(() => client.ReadAsync("many"));
        Assert.Contains("views", whole.Message);
        var parts = await Task.WhenAll(Enumerable.Range(0, 6).Select(k => client.ReadAsync("many", new TableView(k * 1_000L, (k + 1) * 1_000L))));
        Assert.Equal(Enumerable.Range(0, 3_000).SelectMany(i => new long?[] { i, i }), parts.SelectMany(p => p!.Values<long>("sequence")));
    }

    [Fact]
    public async Task RentedFramesInFlight_TravelInBatchesWithinTheFrame_AndAnOversizedOneIsRefused()
    {
        await StartCluster(storeNodes: 1);
        var arraysRoot = Path.Combine(_root, "arrays");
        Directory.CreateDirectory(arraysRoot);
        ActorStoreOptions ArrayOptions(int node)
        {
            var root = _temp.Sub($"arrays-node-{node}");
            File.CreateSymbolicLink(root, arraysRoot);
            return Options(root) with { DiskFormat = DiskFormat.Npy };
        }

        // The store node holds the arrays' region; the client reaches it through its proxy.
        await using var held = ArrayActorStore.Open(_nodes[0].System, ArrayOptions(0));
        await using var arrays = ArrayActorStore.Open(_nodes[1].System, ArrayOptions(1));

        // 20 rented frames of 40,000 bytes at once, 800 kB together: the budget already holds their
        // bytes, yet each batch must still fit remoting's frame (128,000 bytes by default).
        var appends = new List<Task<IndexRange>>();
        for (var i = 0; i < 20; i++)
        {
            var frame = await arrays.RentAsync<float>(1, 100, 100);
            frame.AsSpan<float>().Fill(i);
            appends.Add(arrays.AppendAsync("frames", frame, "producer", i));
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => new IndexRange(i, 1)), await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(60)));
        for (var i = 0; i < 20; i++)
        {
            var row = (await arrays.ReadAsync("frames", ArrayView.Rows(i, i + 1)))!;
            Assert.All(row.ToArray<float>(), value => Assert.Equal(i, value));
        }

        // A rented frame larger than one message is refused at once, naming the limit, and its memory goes back.
        var big = await arrays.RentAsync<float>(1, 200, 200);
        var tooBig = await Assert.ThrowsAsync<StoreException>(() => arrays.AppendAsync("big", big));
        Assert.Contains("maximum-frame-size", tooBig.Message);
        Assert.Contains("'big'", tooBig.Message);
        Assert.Equal(new IndexRange(20, 1), await arrays.AppendAsync("frames", await arrays.RentAsync<float>(1, 100, 100)));
    }

    [Fact]
    public async Task OldestNodesLeavingOneAfterAnother_LeaveTheLastNodeServing()
    {
        // The first node runs the shard coordinator: when it leaves, the coordinator moves, and again when the next one does.
        await StartCluster(storeNodes: 3);
        var last = _nodes[1].Store;
        await Append(last, 0, 2);
        foreach (var index in new[] { 0, 2 })
        {
            await _nodes[index].Store.DisposeAsync();
            await Cluster.Get(_nodes[index].System).LeaveAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _nodes[index].System.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"node {index + 1} left");
        }

        Assert.Equal(new IndexRange(0, 2), await last.AppendAsync("after/leaving", Rows(0, 0)).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.True((await last.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60))).Succeeded);
        await last.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        using var reader = new TableStore(_root, "r");
        Assert.Equal(Enumerable.Range(0, Paths).Select(p => $"runs/p{p}").Prepend("after/leaving"), reader.Available());
        Assert.All(Enumerable.Range(0, Paths), p => Assert.Equal(4, reader.Read($"runs/p{p}")!.RowCount));
    }
}
