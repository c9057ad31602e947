using System.Diagnostics;
using Akka.Actor;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>Bad input is refused with the in-process stores' exception types, before any change; failures stay with their path.</summary>
public class RobustnessTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task CommandsNobodyAnswers_FailWithStoreTimeoutException_AfterAskTimeout_AndFreeTheirPlaceInTheBudget()
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory with { AskTimeout = TimeSpan.FromMilliseconds(400) });
        await store.AppendAsync("x", NdArray.From(new[] { 1.0 }));
        var held = store.BufferedBytes; // what the store counts once the first append is answered
        Assert.True(await store.Coordinator.GracefulStop(TimeSpan.FromSeconds(10))); // from now on nothing answers

        var clock = Stopwatch.StartNew();
        var late = await Task.WhenAll(Enumerable.Range(0, 5).Select(async i =>
            await Assert.ThrowsAsync<StoreTimeoutException>(() => store.AppendAsync("x", NdArray.From(new[] { 2.0, 3.0 })))));
        Assert.All(late, e => Assert.Contains("'x'", e.Message));
        Assert.All(late, e => Assert.Contains("within 00:00:00.4", e.Message));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(350), $"timed out after {clock.Elapsed}, before AskTimeout");
        Assert.Equal(held, store.BufferedBytes);
    }

    [Fact]
    public async Task BadArrayInput_IsRefusedWithTypedErrors_AndTheStoreKeepsEverything()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy });
        var frames = TestArrays.Sequence(DType.Float32, 4, 3);
        await store.AppendAsync("x", frames);
        await store.AppendAsync("y", NdArray.From(new[] { 1L, 2 }));

        var shape = await Assert.ThrowsAsync<ShapeException>(() => store.AppendAsync("x", TestArrays.Sequence(DType.Float32, 2, 4)));
        Assert.Contains("'x'", shape.Message);
        await Assert.ThrowsAsync<ShapeException>(() => store.AppendAsync("x", TestArrays.Sequence(DType.Float64, 2, 3)));
        await Assert.ThrowsAsync<ShapeException>(() => store.ReadAsync("x", ArrayView.Parse("7")));
        await Assert.ThrowsAsync<ShapeException>(() => store.WriteAsync("x", TestArrays.Sequence(DType.Float32, 3, 3), ArrayView.Parse("0:2")));
        await Assert.ThrowsAsync<InvalidPathException>(() => store.AppendAsync("../escape", frames));
        await Assert.ThrowsAsync<InvalidPathException>(() => store.ReadAsync("/absolute"));
        await Assert.ThrowsAsync<EntryNotFoundException>(() => store.WriteAsync("missing", frames, ArrayView.Parse("0")));

        // Nothing refused changed anything, and the store still serves both paths.
        var x = await store.ReadAsync("x");
        Assert.Equal(frames.ToArray<float>(), x!.ToArray<float>());
        Assert.Equal(new IndexRange(4, 4), await store.AppendAsync("x", frames));
        Assert.Equal(new IndexRange(2, 1), await store.AppendAsync("y", NdArray.From(new[] { 3L })));
        Assert.Equal(["x", "y"], await store.AvailableAsync());
        Assert.True((await store.FlushAsync()).Succeeded);
    }

    [Fact]
    public async Task BadTableInput_IsRefusedWithTypedErrors_AndTheStoreKeepsEverything()
    {
        await using var store = TableActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Parquet });
        await store.AppendAsync("energies", TestTables.AllTypes(0, 4));

        await Assert.ThrowsAsync<SchemaException>(() => store.AppendAsync("energies", Table.FromColumns(("other", new Apache.Arrow.Int64Array.Builder().Append(1).Build()))));
        await Assert.ThrowsAsync<FilterException>(() => store.QueryAsync("energies", filter: "nope >"));
        await Assert.ThrowsAsync<SchemaException>(() => store.ReadAsync("energies", TableView.Select("no_such_column")));

        Assert.Equal(4L, await store.ShapeAsync("energies"));
        Assert.Equal(new IndexRange(4, 2), await store.AppendAsync("energies", TestTables.AllTypes(4, 2)));
    }

    [Fact]
    public async Task CorruptFiles_AreReportedForTheirPathOnly_ThroughTheActors()
    {
        using (var seed = new ArrayStore(_temp.Path, "w", DiskFormat.Npy))
        {
            seed.Write("good", NdArray.From(new[] { 1.0, 2.0 }));
            seed.Write("bad", NdArray.From(new[] { 3.0, 4.0 }));
        }

        File.WriteAllBytes(_temp.Sub("bad.npy"), [0x93, (byte)'N', (byte)'U', 1, 2, 3]);
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy });
        var error = await Assert.ThrowsAnyAsync<StoreException>(() => store.ReadAsync("bad"));
        Assert.Contains("bad.npy", error.Message);
        var good = await store.ReadAsync("good");
        Assert.Equal([1.0, 2.0], good!.ToArray<double>());
        Assert.Equal(new IndexRange(2, 1), await store.AppendAsync("good", NdArray.From(new[] { 5.0 })));
    }

    [Fact]
    public async Task ZarrArrayWithAnUnsupportedCodec_IsRefusedNamingTheCodec_ThroughTheActors()
    {
        using (var seed = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, new Store.Core.Formats.Zarr.ZarrOptions { Version = 2 }))
        {
            seed.Write("blosc", NdArray.From(new[] { 1.0f }));
            seed.Write("plain", NdArray.From(new[] { 2.0f }));
        }

        var metadata = _temp.Sub("blosc/.zarray");
        File.WriteAllText(metadata, File.ReadAllText(metadata).Replace("\"compressor\": null", "\"compressor\": {\"id\": \"blosc\", \"cname\": \"lz4\", \"clevel\": 5, \"shuffle\": 1}"));
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Zarr });
        var error = await Assert.ThrowsAsync<CorruptDataException>(() => store.ReadAsync("blosc"));
        Assert.Contains("'blosc'", error.Message);
        var plain = await store.ReadAsync("plain");
        Assert.Equal([2.0f], plain!.ToArray<float>());
    }

    [Fact]
    public async Task WrongKindOfData_IsRefusedNamingWhatWasExpected()
    {
        await using var arrays = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        var append = await arrays.Coordinator.Ask<StoreProtocol.AppendFailed>(new StoreProtocol.Append("x", TestTables.AllTypes(0, 1), "p", 7));
        Assert.IsType<StoreException>(append.Cause);
        Assert.Contains("expected an array", append.Cause.Message);
        Assert.Equal(("p", 7L), (append.ProducerId, append.Sequence));
        var query = await arrays.Coordinator.Ask<StoreProtocol.ReadFailed>(new StoreProtocol.Query("x"));
        Assert.Contains("holds arrays", query.Cause.Message);
        Assert.Empty(await arrays.AvailableAsync());
    }

    [Fact]
    public async Task ReadOnlyStore_RefusesChangesWithModeErrors()
    {
        Directory.CreateDirectory(_temp.Path);
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, Mode = "r", DiskFormat = DiskFormat.Npy });
        await Assert.ThrowsAsync<StoreModeException>(() => store.AppendAsync("x", NdArray.From(new[] { 1.0 })));
        await Assert.ThrowsAsync<StoreModeException>(() => store.WriteAsync("x", NdArray.From(new[] { 1.0 })));
        Assert.Empty(await store.AvailableAsync());
    }

    [Fact]
    public void Open_ModeTheRootDoesNotSatisfy_ThrowsModeError()
    {
        Assert.Throws<StoreModeException>(() => ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, Mode = "r+", DiskFormat = DiskFormat.Npy }));
        Directory.CreateDirectory(_temp.Path);
        Assert.Throws<StoreModeException>(() => TableActorStore.Open(new ActorStoreOptions { Root = _temp.Path, Mode = "w-", DiskFormat = DiskFormat.Csv }));
    }

    [Fact]
    public async Task Flush_OnePathFails_TheOthersFlushAndTheFailureIsReportedWithItsPath()
    {
        var options = new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy };
        await using (var store = ArrayActorStore.Open(options))
        {
            await store.AppendAsync("good/a", NdArray.From(new[] { 1.0, 2.0 }));
            await store.AppendAsync("bad/b", NdArray.From(new[] { 3.0 }));
            await store.AppendAsync("good/c", NdArray.From(new[] { 4.0 }));
            File.WriteAllText(_temp.Sub("bad"), "a file where the folder for bad/b should go");

            var error = await Assert.ThrowsAsync<StoreException>(() => store.FlushAsync());
            Assert.Contains("1 of 3", error.Message);
            Assert.Contains("'bad/b'", error.Message);
            Assert.True(File.Exists(_temp.Sub("good/a.npy")));
            Assert.True(File.Exists(_temp.Sub("good/c.npy")));

            // The failed path kept its data and flushes once the obstacle is gone.
            var kept = await store.ReadAsync("bad/b");
            Assert.Equal([3.0], kept!.ToArray<double>());
            File.Delete(_temp.Sub("bad"));
            Assert.True((await store.FlushAsync()).Succeeded);
        }

        await using var reopened = ArrayActorStore.Open(options with { Mode = "r" });
        Assert.Equal(["bad/b", "good/a", "good/c"], await reopened.AvailableAsync());
    }

    [Fact]
    public async Task PathActorKilled_IsRestarted_AndKeepsItsData()
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        await store.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }), "p", 1);
        var child = await FindPathActor(store, "x");
        child.Tell(Kill.Instance);

        Assert.Equal(new IndexRange(0, 2), await store.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }), "p", 1));
        Assert.Equal(new IndexRange(2, 1), await store.AppendAsync("x", NdArray.From(new[] { 3.0 }), "p", 2));
        var values = await store.ReadAsync("x");
        Assert.Equal([1.0, 2.0, 3.0], values!.ToArray<double>());
    }

    [Fact]
    public async Task IdlePathActor_WithNothingUnflushed_IsPassivated_AndRecreatedOnDemand()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, PassivateAfter = TimeSpan.FromMilliseconds(200) });
        await store.AppendAsync("x", NdArray.From(new[] { 1.0 }));
        var first = await FindPathActor(store, "x"); // unflushed, so not passivated yet
        await store.FlushAsync();
        await first.WatchAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(new IndexRange(1, 1), await store.AppendAsync("x", NdArray.From(new[] { 2.0 })));
        var values = await store.ReadAsync("x");
        Assert.Equal([1.0, 2.0], values!.ToArray<double>());
    }

    [Theory]
    [InlineData(Durability.None)]
    [InlineData(Durability.Journal)]
    public async Task AppendsAndFlushes_RacingPassivation_AreAllTakenByTheActorOrItsSuccessor(Durability durability)
    {
        // Path actors passivate as soon as they are idle, so commands and flushes keep reaching actors about to stop.
        var options = new ActorStoreOptions
        {
            Root = _temp.Path, DiskFormat = DiskFormat.Npy, Durability = durability,
            PassivateAfter = TimeSpan.FromMilliseconds(1), FlushTimeout = TimeSpan.FromSeconds(5),
        };
        await using var store = ArrayActorStore.Open(options);
        var paths = Enumerable.Range(0, 8).Select(i => $"p{i}").ToArray();
        for (var round = 0; round < 60; round++)
        {
            await Task.WhenAll(paths.Select(p => store.AppendAsync(p, NdArray.From(new[] { (double)round }))));
            var report = await store.FlushAsync();
            Assert.True(report.Succeeded);
            if (round % 10 == 9)
            {
                // Now and then p0's actor is let stop for certain, so the rounds after it race a successor.
                await WaitUntilStopped(store, "p0");
            }

            await Task.Delay(round % 3);
        }

        using (var files = new ArrayStore(_temp.Path, "r", DiskFormat.Npy))
        {
            Assert.All(paths, p => Assert.Equal(Enumerable.Range(0, 60).Select(i => (double)i), files.Read(p)!.ToArray<double>()));
        }

        // The race was run: actors were stopped and started again (children are numbered as they start).
        await store.AppendAsync("p0", NdArray.From(new[] { 60.0 }));
        var actor = await FindPathActor(store, "p0");
        Assert.True(int.Parse(actor.Path.Name[(actor.Path.Name.LastIndexOf('-') + 1)..]) > paths.Length, actor.Path.Name);
    }

    [Fact]
    public async Task IdlePathActor_WithUnflushedData_IsNotPassivated()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, PassivateAfter = TimeSpan.FromMilliseconds(100) });
        await store.AppendAsync("x", NdArray.From(new[] { 1.0 }));
        var child = await FindPathActor(store, "x");
        await Task.Delay(600);
        Assert.True(await IsAlive(child));
    }

    [Fact]
    public async Task BufferLimit_PathsFlushOnTheirOwn_AndMemoryStaysBounded()
    {
        const int FrameBytes = 1000 * 3 * 4;
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, MaxBufferedBytes = 64 * FrameBytes });
        var frame = TestArrays.Sequence(DType.Float32, 1, 1000, 3);
        for (var i = 0; i < 1000; i++)
        {
            await store.AppendAsync($"run{i % 4}/coordinates", frame);
        }

        // Without any flush call, most frames are already on disk.
        var onDisk = Enumerable.Range(0, 4).Sum(run => new FileInfo(_temp.Sub($"run{run}/coordinates.npy")) is { Exists: true } f ? f.Length : 0);
        Assert.True(onDisk > 800L * FrameBytes, $"only {onDisk} bytes flushed");
        var shape = await store.ShapeAsync("run0/coordinates");
        Assert.Equal(new long[] { 250, 1000, 3 }, shape);
    }

    [Fact]
    public async Task BufferLimit_InAMemoryOnlyStore_CountsOnlyWhatIsInFlight_AndTheStoreKeepsEverything()
    {
        // A memory-only store's entries are its data: no flush could free them, so they do not fill the budget.
        const int Rows = 64 * 1024;
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory with { MaxBufferedBytes = 1 << 20 });
        var appended = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            var frame = NdArray.From(Enumerable.Range(0, Rows).Select(r => (double)((i * Rows) + r)).ToArray());
            await store.AppendAsync("x", frame); // 512 KiB each, 4 MiB in all against a limit of 1 MiB
            appended.AddRange(frame.ToArray<double>());
            Assert.Equal(0, store.BufferedBytes);
        }

        Assert.Equal(appended, (await store.ReadAsync("x"))!.ToArray<double>());
    }

    private static async Task WaitUntilStopped(ActorStore store, string path)
    {
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(5))
        {
            var identity = await store.System.ActorSelection(store.Coordinator.Path / $"{Uri.EscapeDataString(path)}-*").Ask<ActorIdentity>(new Identify(path));
            if (identity.Subject is null)
            {
                return;
            }
        }

        Assert.Fail($"the actor of '{path}' did not passivate within 10 s");
    }

    internal static async Task<IActorRef> FindPathActor(ActorStore store, string path)
    {
        var identity = await store.System.ActorSelection(store.Coordinator.Path / $"{Uri.EscapeDataString(path)}-*").Ask<ActorIdentity>(new Identify(path));
        return identity.Subject ?? throw new InvalidOperationException($"no actor for '{path}'");
    }

    private static async Task<bool> IsAlive(IActorRef actor)
    {
        try
        {
            await actor.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromMilliseconds(500));
            return true;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }
}
