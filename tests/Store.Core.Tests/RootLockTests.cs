using Store.Core.Arrays;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>One writer per root: a second writable open is refused naming the holder; readers take no lock; dispose releases it.</summary>
public class RootLockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("r+")]
    [InlineData("a")]
    [InlineData("w")]
    public void Open_WritableWhileAnotherStoreWrites_ThrowsStoreLockedExceptionNamingTheHolder(string mode)
    {
        using var writer = new ArrayStore(_temp.Path, "a", DiskFormat.Npy);
        writer.Append("x", NdArray.From(new[] { 1.0, 2.0 }));
        writer.Flush();

        var error = Assert.Throws<StoreLockedException>(() => new ArrayStore(_temp.Path, mode, DiskFormat.Npy));
        Assert.Contains(_temp.Path, error.Message);
        Assert.Contains("another store in this process", error.Message);
        Assert.Contains($"host {System.Net.Dns.GetHostName()}", error.Message);
        Assert.Contains("since 20", error.Message);
        Assert.Contains("mode 'a'", error.Message);

        // Refused, not cleared: mode w did not remove the writer's files.
        Assert.Equal([1.0, 2.0], writer.Read("x")!.ToArray<double>());
        Assert.True(File.Exists(_temp.Sub("x.npy")));
    }

    [Fact]
    public void Open_ReadOnlyWhileAnotherStoreWrites_TakesNoLockAndSeesWhatWasFlushed()
    {
        using var writer = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        writer.Append("t", TestTables.AllTypes(0, 3));
        writer.Flush();
        writer.Append("t", TestTables.AllTypes(3, 2));

        using var reader = new TableStore(_temp.Path, "r");
        Assert.Equal(3, reader.Read("t")!.RowCount);
        using var second = new TableStore(_temp.Path, "r");
        Assert.Equal(3, second.Read("t")!.RowCount);
    }

    [Fact]
    public void Dispose_ReleasesTheRoot_ForTheNextWriter()
    {
        using (var first = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr))
        {
            first.Append("x", NdArray.From(new[] { 1 }));
        }

        using var second = new ArrayStore(_temp.Path, "a");
        second.Append("x", NdArray.From(new[] { 2 }));
        Assert.Equal([1, 2], second.Read("x")!.ToArray<int>());
    }

    [Fact]
    public void Open_RefusedForAnotherReason_LeavesTheRootUnlocked()
    {
        using (var tables = new TableStore(_temp.Path, "w", DiskFormat.Csv))
        {
            tables.Append("t", TestTables.AllTypes(0, 1));
        }

        Assert.Throws<StoreModeException>(() => new TableStore(_temp.Path, "a", DiskFormat.Parquet));
        using var store = new TableStore(_temp.Path, "a");
        Assert.Equal(1, store.Read("t")!.RowCount);
    }
}
