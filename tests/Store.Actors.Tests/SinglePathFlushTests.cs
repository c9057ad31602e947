using Microsoft.Data.Sqlite;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// <see cref="ActorStore.FlushAsync(string, CancellationToken)"/> writes one path's changes through
/// that path's actor and leaves the other paths' buffers alone; its failures are the in-process
/// store's exceptions.
/// </summary>
public class SinglePathFlushTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private static NdArray Row(double value) => NdArray.From([value, value], 1, 2);

    [Theory]
    [InlineData(DiskFormat.Npy, Durability.None, "a.npy", "b.npy")]
    [InlineData(DiskFormat.Zarr, Durability.None, "a/zarr.json", "b/zarr.json")]
    [InlineData(DiskFormat.Npy, Durability.Journal, "a.npy", "b.npy")]
    public async Task FlushAsync_OnePath_WritesItsFileOnly(DiskFormat format, Durability durability, string flushedFile, string otherFile)
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = format == DiskFormat.None ? "" : _temp.Path, DiskFormat = format, Durability = durability });
        await store.AppendAsync("a", Row(1));
        await store.AppendAsync("b", Row(2));

        var report = await store.FlushAsync("a");

        Assert.True(report.Succeeded);
        Assert.Equal(["a"], report.Outcomes.Select(o => o.Path));
        Assert.True(File.Exists(_temp.Sub(flushedFile)), flushedFile);
        Assert.False(File.Exists(_temp.Sub(otherFile)), otherFile);
        Assert.True(store.BufferedBytes > 0, "b's row is still buffered");
    }

    [Fact]
    public async Task FlushAsync_TablePath_WritesItsFileOnly()
    {
        await using var store = TableActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Parquet });
        await store.AppendAsync("energies", TestTables.AllTypes(0, 3));
        await store.AppendAsync("other", TestTables.AllTypes(0, 3));

        Assert.Equal(["energies"], (await store.FlushAsync("energies")).Outcomes.Select(o => o.Path));

        Assert.True(File.Exists(_temp.Sub("energies.parquet/part-000000.parquet")));
        Assert.False(Path.Exists(_temp.Sub("other.parquet")));
    }

    [Fact]
    public async Task FlushAsync_PathStillRegisteringInTheJournal_CoversTheAppendSentBeforeIt()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, Durability = Durability.Journal });

        var append = store.AppendAsync("new", Row(3));
        var report = await store.FlushAsync("new");
        await append;

        Assert.True(report.Succeeded);
        Assert.Equal("[[3.0, 3.0]]", Numpy.Run("print(np.load(sys.argv[1]).tolist())", _temp.Sub("new.npy")).Trim());
    }

    [Fact]
    public async Task FlushAsync_PathWithoutEntry_SucceedsAndWritesNothing()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy });

        var report = await store.FlushAsync("nothing/here");

        Assert.Equal(["nothing/here"], report.Outcomes.Select(o => o.Path));
        Assert.True(report.Succeeded);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(_temp.Path), f => !TempFolder.IsStoreFile(f));
    }

    [Fact]
    public async Task FlushAsync_InvalidPath_ThrowsInvalidPathException()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy });

        var error = await Assert.ThrowsAsync<InvalidPathException>(() => store.FlushAsync("a/../../b"));

        Assert.Contains("a/../../b", error.Message);
    }

    [Fact]
    public async Task FlushAsync_ReadOnlyStore_ThrowsStoreModeException()
    {
        await using (var writer = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy }))
        {
            await writer.AppendAsync("a", Row(1));
        }

        await using var reader = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, Mode = "r" });

        var error = await Assert.ThrowsAsync<StoreModeException>(() => reader.FlushAsync("a"));

        Assert.Contains("'r'", error.Message);
    }
}
