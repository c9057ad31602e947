using Microsoft.Data.Sqlite;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// Through the actors, a path the disk cannot safely hold (through a symbolic link out of the root,
/// or too long for the file system) is refused at its first command with an
/// <see cref="InvalidPathException"/>, never acknowledged, and the store keeps serving and flushing
/// every other path.
/// </summary>
public class PathSafetyTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _root;
    private readonly string _outside;

    public PathSafetyTests()
    {
        _root = _temp.Sub("root");
        _outside = _temp.Sub("outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    public static TheoryData<DiskFormat, Durability> ArrayFormats => new()
    {
        { DiskFormat.Npy, Durability.None },
        { DiskFormat.Npz, Durability.None },
        { DiskFormat.Zarr, Durability.None },
        { DiskFormat.Zarr, Durability.Journal },
    };

    public static TheoryData<DiskFormat, Durability> TableFormats => new()
    {
        { DiskFormat.Parquet, Durability.None },
        { DiskFormat.Csv, Durability.None },
        { DiskFormat.Json, Durability.None },
        { DiskFormat.Ipc, Durability.None },
        { DiskFormat.Csv, Durability.Journal },
    };

    [Theory]
    [InlineData(DiskFormat.Npy, Durability.None)]
    [InlineData(DiskFormat.Zarr, Durability.Journal)]
    public async Task ArrayAppendAsync_ThroughLinkOutOfRoot_FailsWithInvalidPathAndOtherPathsKeepWorking(DiskFormat format, Durability durability)
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _root, DiskFormat = format, Durability = durability });
        var frames = NdArray.From(new[] { 1.0, 2.0 });
        await store.AppendAsync("ok", frames);

        var error = await Assert.ThrowsAsync<InvalidPathException>(() => store.AppendAsync("link/x", frames));
        Assert.Contains("'link/x'", error.Message);
        Assert.Contains("symbolic link", error.Message);
        await Assert.ThrowsAsync<InvalidPathException>(() => store.WriteAsync("link/y", frames));

        Assert.Equal(new IndexRange(2, 2), await store.AppendAsync("ok", frames));
        Assert.True((await store.FlushAsync()).Succeeded);
        Assert.Equal(["ok"], await store.AvailableAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
    }

    [Theory]
    [InlineData(DiskFormat.Parquet, Durability.None)]
    [InlineData(DiskFormat.Csv, Durability.Journal)]
    public async Task TableAppendAsync_ThroughLinkOutOfRoot_FailsWithInvalidPathAndOtherPathsKeepWorking(DiskFormat format, Durability durability)
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);
        await using var store = TableActorStore.Open(new ActorStoreOptions { Root = _root, DiskFormat = format, Durability = durability });
        await store.AppendAsync("ok", TestTables.AllTypes(0, 2));

        var error = await Assert.ThrowsAsync<InvalidPathException>(() => store.AppendAsync("link/x", TestTables.AllTypes(0, 2)));
        Assert.Contains("'link/x'", error.Message);

        Assert.Equal(new IndexRange(2, 2), await store.AppendAsync("ok", TestTables.AllTypes(2, 2)));
        Assert.True((await store.FlushAsync()).Succeeded);
        Assert.Equal(["ok"], await store.AvailableAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
    }

    [Theory]
    [MemberData(nameof(ArrayFormats))]
    public async Task ArrayAppendAsync_SegmentTooLong_FailsWithInvalidPathAndTheStoreFlushes(DiskFormat format, Durability durability)
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _root, DiskFormat = format, Durability = durability });
        var frames = NdArray.From(new[] { 1.0, 2.0 });
        await store.AppendAsync("ok", frames);

        foreach (var segment in TooLongSegments())
        {
            var error = await Assert.ThrowsAsync<InvalidPathException>(() => store.AppendAsync("prj/" + segment, frames));
            Assert.Contains("300 bytes", error.Message);
        }

        await store.AppendAsync("ok", frames);
        Assert.True((await store.FlushAsync()).Succeeded);
        Assert.Equal(["ok"], await store.AvailableAsync());
        var read = await store.ReadAsync("ok");
        Assert.Equal([1.0, 2.0, 1.0, 2.0], read!.ToArray<double>());
    }

    [Theory]
    [MemberData(nameof(TableFormats))]
    public async Task TableAppendAsync_SegmentTooLong_FailsWithInvalidPathAndTheStoreFlushes(DiskFormat format, Durability durability)
    {
        await using var store = TableActorStore.Open(new ActorStoreOptions { Root = _root, DiskFormat = format, Durability = durability });
        await store.AppendAsync("ok", TestTables.AllTypes(0, 2));

        foreach (var segment in TooLongSegments())
        {
            var error = await Assert.ThrowsAsync<InvalidPathException>(() => store.AppendAsync("prj/" + segment, TestTables.AllTypes(0, 2)));
            Assert.Contains("300 bytes", error.Message);
        }

        await store.AppendAsync("ok", TestTables.AllTypes(2, 2));
        Assert.True((await store.FlushAsync()).Succeeded);
        Assert.Equal(["ok"], await store.AvailableAsync());
        Assert.Equal(4L, await store.ShapeAsync("ok"));
    }

    /// <summary>300 bytes in UTF-8: 300 ASCII characters, and 150 two-byte characters (under 255 characters).</summary>
    private static string[] TooLongSegments() => [new string('a', 300), string.Concat(Enumerable.Repeat("é", 150))];
}
