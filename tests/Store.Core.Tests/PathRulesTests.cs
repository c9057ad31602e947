using Store.Core.Arrays;

namespace Store.Core.Tests;

public class PathRulesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> InvalidPaths => new()
    {
        "", "/abs", "a/../b", "..", "../escape", "a/./b", ".", "a//b", "a/", "nul\0byte", "tab\tname", "back\\slash",
    };

    [Theory]
    [MemberData(nameof(InvalidPaths))]
    public void Append_InvalidPath_ThrowsAndStoresNothing(string path)
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy);
        Assert.Throws<InvalidPathException>(() => store.Append(path, NdArray.From(new[] { 1 })));
        Assert.Throws<InvalidPathException>(() => store.Write(path, NdArray.From(new[] { 1 })));
        Assert.Throws<InvalidPathException>(() => store.Read(path));
        store.Flush();
        Assert.Empty(store.Available());
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_temp.Path), f => !TempFolder.IsStoreFile(f));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("prj/ens1/coordinates")]
    [InlineData("with space/and-dash_1.2")]
    [InlineData("ünïcode/名前")]
    public void Append_ValidPath_LandsUnderRoot(string path)
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy))
        {
            store.Append(path, NdArray.From(new[] { 1, 2 }));
        }

        Assert.True(File.Exists(Path.Combine(_temp.Path, path + ".npy")));
        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        Assert.Equal([path], reopened.Available());
    }

    [Fact]
    public void FileFor_SymbolicEscapeAttempt_IsRejected()
    {
        Assert.Throws<InvalidPathException>(() => Storage.StorePaths.FileFor("/tmp/root", "a/../../etc/passwd", ".npy"));
    }
}
