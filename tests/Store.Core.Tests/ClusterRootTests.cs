using Store.Core.Arrays;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

/// <summary>
/// A root shared by the nodes of a cluster store: the nodes lock it shared (each reaching it by its
/// own path), a single-machine writer and the nodes refuse each other, modes that would clear the
/// root and NPZ are refused, and a node that takes a path over reloads it from the files the
/// previous owner flushed (and appends to them, never replacing them).
/// </summary>
public class ClusterRootTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // The root, and two more paths to it (as two machines would mount a shared filesystem).
    private (string Root, string NodeA, string NodeB) SharedRoot()
    {
        var root = _temp.Sub("shared");
        Directory.CreateDirectory(root);
        File.CreateSymbolicLink(_temp.Sub("node-a"), root);
        File.CreateSymbolicLink(_temp.Sub("node-b"), root);
        return (root, _temp.Sub("node-a"), _temp.Sub("node-b"));
    }

    private static Table Rows(long start, int count) =>
        Table.FromColumns(("micro_id", TableColumn.Of<long>([.. Enumerable.Range(0, count).Select(i => start + i)])));

    [Fact]
    public void ClusterNodes_ShareTheRoot_AndASingleMachineWriterIsRefusedUntilTheyClose()
    {
        var (root, a, b) = SharedRoot();
        using (var first = new TableStore(a, StoreMode.Append, DiskFormat.Parquet, clusterId: "energies"))
        using (var second = new TableStore(b, StoreMode.Append, DiskFormat.Parquet, clusterId: "energies"))
        {
            Assert.Equal("energies", first.ClusterId);
            var single = Assert.Throws<StoreLockedException>(() => new TableStore(root, "a"));
            Assert.Contains("cluster:energies", single.Message);
            using var reader = new TableStore(root, "r"); // readers need no lock
        }

        using (var single = new TableStore(root, "a"))
        {
            var node = Assert.Throws<StoreLockedException>(() => new TableStore(a, StoreMode.Append, null, clusterId: "energies"));
            Assert.Contains("cluster store 'energies'", node.Message);
        }

        using var again = new TableStore(b, StoreMode.Append, null, clusterId: "energies");
    }

    [Theory]
    [InlineData(StoreMode.Write)]
    [InlineData(StoreMode.WriteNew)]
    public void ClusterNode_WithAModeThatClearsTheRoot_IsRefused(StoreMode mode)
    {
        var error = Assert.Throws<StoreModeException>(() => new TableStore(_temp.Path, mode, DiskFormat.Parquet, clusterId: "c1"));
        Assert.Contains("cluster store 'c1'", error.Message);
        Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Path, mode, DiskFormat.Zarr, clusterId: "c1"));
    }

    [Fact]
    public void ClusterNode_WithNpz_IsRefused()
    {
        var error = Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Path, StoreMode.Append, DiskFormat.Npz, clusterId: "c1"));
        Assert.Contains("NPZ", error.Message);
    }

    [Theory]
    [InlineData(DiskFormat.Parquet)]
    [InlineData(DiskFormat.Ipc)]
    [InlineData(DiskFormat.Csv)]
    public void PathTakenOver_IsReloadedFromWhatThePreviousOwnerFlushed_AndGrowsFromThere(DiskFormat format)
    {
        var (root, a, b) = SharedRoot();
        using var first = new TableStore(a, StoreMode.Append, format, clusterId: "c1");
        using var second = new TableStore(b, StoreMode.Append, format, clusterId: "c1");

        // Node A owns the path, then hands it over; node B opened before A wrote anything.
        first.Append("runs/e", Rows(0, 10));
        first.Flush();
        first.Reload("runs/e");
        second.Reload("runs/e");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long?)i), second.Read("runs/e")!.Values<long>("micro_id"));
        Assert.Equal(new IndexRange(10, 5), second.Append("runs/e", Rows(10, 5)));
        second.Flush();

        // And back: A sees B's rows, not its stale copy.
        second.Reload("runs/e");
        first.Reload("runs/e");
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long?)i), first.Read("runs/e")!.Values<long>("micro_id"));
        using var reader = new TableStore(root, "r");
        Assert.Equal(15, reader.Read("runs/e")!.RowCount);
    }

    [Theory]
    [InlineData(DiskFormat.Npy)]
    [InlineData(DiskFormat.Zarr)]
    public void ArrayTakenOver_IsReloadedFromWhatThePreviousOwnerFlushed_AndGrowsFromThere(DiskFormat format)
    {
        var (root, a, b) = SharedRoot();
        using var first = new ArrayStore(a, StoreMode.Append, format, clusterId: "c1");
        using var second = new ArrayStore(b, StoreMode.Append, format, clusterId: "c1");
        first.Append("frames", NdArray.From(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 4, 3));
        first.Flush();
        first.Reload("frames");
        second.Reload("frames");
        Assert.Equal(new IndexRange(4, 2), second.Append("frames", NdArray.From(Enumerable.Range(12, 6).Select(i => (float)i).ToArray(), 2, 3)));
        second.Flush();
        first.Reload("frames");
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (float)i), first.Read("frames")!.ToArray<float>());
        using var reader = new ArrayStore(root, "r");
        Assert.Equal(new long[] { 6, 3 }, reader.Read("frames")!.Shape.ToArray());
    }

    [Fact]
    public void Reload_DropsUnflushedChanges_AndOfAPathWithoutFilesLeavesNoEntry()
    {
        using var store = new TableStore(_temp.Path, StoreMode.Append, DiskFormat.Parquet, clusterId: "c1");
        store.Append("kept", Rows(0, 3));
        store.Flush();
        store.Append("kept", Rows(3, 3));
        store.Append("gone", Rows(0, 3));
        store.Reload("kept");
        store.Reload("gone");
        Assert.Equal(3, store.Read("kept")!.RowCount);
        Assert.Null(store.Read("gone"));
        Assert.Equal(["kept"], store.Available());
        Assert.Throws<InvalidPathException>(() => store.Reload("../x"));
    }

    [Fact]
    public void DiscoverNew_ListsWhatOtherNodesFlushed()
    {
        var (_, a, b) = SharedRoot();
        using var first = new TableStore(a, StoreMode.Append, DiskFormat.Parquet, clusterId: "c1");
        using var second = new TableStore(b, StoreMode.Append, DiskFormat.Parquet, clusterId: "c1");
        second.Append("mine", Rows(0, 1));
        first.Append("theirs/e", Rows(0, 2));
        first.Flush();
        Assert.Equal(["mine"], second.Available());
        second.DiscoverNew();
        Assert.Equal(["mine", "theirs/e"], second.Available());
        Assert.Equal(2, second.Read("theirs/e")!.RowCount);
    }
}
