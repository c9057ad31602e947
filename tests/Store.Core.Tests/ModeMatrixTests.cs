using Store.Core.Arrays;

namespace Store.Core.Tests;

public class ModeMatrixTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat> DiskFormats => new() { DiskFormat.Npy, DiskFormat.Npz, DiskFormat.Zarr };

    [Theory]
    [InlineData("r")]
    [InlineData("r+")]
    public void Open_MissingRootInExistingModes_ThrowsModeException(string mode)
    {
        var error = Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Sub("missing"), mode, DiskFormat.Npy));
        Assert.Contains("does not exist", error.Message);
        Assert.False(Directory.Exists(_temp.Sub("missing")));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("w")]
    [InlineData("w-")]
    public void Open_MissingRootInCreatingModes_CreatesRoot(string mode)
    {
        using var store = new ArrayStore(_temp.Sub("new"), mode, DiskFormat.Npy);
        Assert.True(Directory.Exists(_temp.Sub("new")));
        Assert.Empty(store.Available());
    }

    [Fact]
    public void Open_ExistingRootWithWriteNew_ThrowsAndKeepsFiles()
    {
        WriteSample(DiskFormat.Npy);
        var error = Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Path, "w-", DiskFormat.Npy));
        Assert.Contains("already exists", error.Message);
        using var store = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        Assert.Equal(["x"], store.Available());
    }

    [Theory]
    [MemberData(nameof(DiskFormats))]
    public void Open_ExistingRootWithWrite_ClearsOnlyStoreFiles(DiskFormat format)
    {
        WriteSample(format);
        File.WriteAllText(_temp.Sub("notes.txt"), "keep me");
        using var store = new ArrayStore(_temp.Path, "w", format);
        Assert.Empty(store.Available());
        Assert.True(File.Exists(_temp.Sub("notes.txt")));
    }

    [Theory]
    [MemberData(nameof(DiskFormats))]
    public void Open_ExistingRootWithReadModes_SeesFlushedEntries(DiskFormat format)
    {
        WriteSample(format);
        foreach (var mode in new[] { "r", "r+", "a" })
        {
            using var store = new ArrayStore(_temp.Path, mode, format);
            Assert.Equal(["x"], store.Available());
            Assert.Equal(new[] { 1, 2, 3 }, store.Read("x")!.ToArray<int>());
        }
    }

    [Theory]
    [MemberData(nameof(DiskFormats))]
    public void Operations_ReadOnlyMode_ThrowModeExceptionAndChangeNothing(DiskFormat format)
    {
        WriteSample(format);
        using var store = new ArrayStore(_temp.Path, "r", format);
        var data = NdArray.From(new[] { 9 });
        Assert.Throws<StoreModeException>(() => store.Append("x", data));
        Assert.Throws<StoreModeException>(() => store.Write("x", data));
        Assert.Throws<StoreModeException>(() => store.Write("x", data, ArrayView.Parse("0:1")));
        Assert.Throws<StoreModeException>(() => store.Write("y", data));
        Assert.Throws<StoreModeException>(store.Flush);
        Assert.Equal(new[] { 1, 2, 3 }, store.Read("x")!.ToArray<int>());
        Assert.Equal(["x"], store.Available());
    }

    [Fact]
    public async Task Operations_ReadOnlyAsyncForms_FaultWithModeException()
    {
        WriteSample(DiskFormat.Npy);
        using var store = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        await Assert.ThrowsAsync<StoreModeException>(() => store.AppendAsync("x", NdArray.From(new[] { 1 })));
        await Assert.ThrowsAsync<StoreModeException>(() => store.FlushAsync());
    }

    [Fact]
    public void Open_RootIsAFile_ThrowsModeException()
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub("file"), "");
        Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Sub("file"), "a", DiskFormat.Npy));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("rw")]
    [InlineData("R")]
    [InlineData("")]
    public void Parse_UnknownMode_ThrowsNamingTheToken(string token)
    {
        var error = Assert.Throws<StoreModeException>(() => StoreModes.Parse(token));
        Assert.Contains($"'{token}'", error.Message);
        Assert.Contains("'r+'", error.Message);
    }

    [Theory]
    [InlineData("r", StoreMode.Read)]
    [InlineData("r+", StoreMode.ReadWrite)]
    [InlineData("a", StoreMode.Append)]
    [InlineData("w", StoreMode.Write)]
    [InlineData("w-", StoreMode.WriteNew)]
    public void Parse_SeedTokens_RoundTrip(string token, StoreMode mode)
    {
        Assert.Equal(mode, StoreModes.Parse(token));
        Assert.Equal(token, mode.ToToken());
    }

    [Fact]
    public void Open_MemoryStoreWithoutPath_NeedsNoRoot()
    {
        using var store = new ArrayStore("", "a", DiskFormat.None);
        store.Append("x", NdArray.From(new[] { 1 }));
        store.Flush();
        Assert.Equal(["x"], store.Available());
    }

    [Fact]
    public void Open_DiskStoreWithEmptyPath_Throws()
    {
        Assert.Throws<StoreModeException>(() => new ArrayStore("", "a", DiskFormat.Npy));
    }

    private void WriteSample(DiskFormat format)
    {
        using var store = new ArrayStore(_temp.Path, "w", format);
        store.Write("x", NdArray.From(new[] { 1, 2, 3 }));
    }
}
