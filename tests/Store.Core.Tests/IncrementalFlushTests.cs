using Store.Core.Arrays;
using Store.Core.Formats.Npy;
using Store.Core.Formats.Zarr;

namespace Store.Core.Tests;

public class IncrementalFlushTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Flush_AfterAppend_ExtendsTheSameFileInPlace()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy);
        store.Append("x", NdArray.From(TestArrays.Floats(300), 100, 3));
        store.Flush();
        var file = _temp.Sub("x.npy");
        var firstBytes = File.ReadAllBytes(file);
        var headerLength = firstBytes.Length - 1200;
        Assert.Equal(0, headerLength % 64);

        store.Append("x", NdArray.From(TestArrays.Floats(30, 1000), 10, 3));
        store.Flush();
        var grown = File.ReadAllBytes(file);
        Assert.Equal(firstBytes.Length + 120, grown.Length);
        Assert.True(firstBytes.AsSpan(headerLength).SequenceEqual(grown.AsSpan(headerLength, 1200)), "earlier rows untouched");
        Assert.Contains("(110, 3)", System.Text.Encoding.ASCII.GetString(grown, 0, headerLength));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Flush_ZarrAppend_WritesTheNewRowsIntoTheLastChunkInPlace(int version)
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, new ZarrOptions { Version = version, ChunkShape = [100, 3] });
        var values = TestArrays.Floats(130 * 3);
        var bytes = TestArrays.Bytes(values);
        string Chunk(int row) => _temp.Sub(version == 3 ? $"x/c/{row}/0" : $"x/{row}.0");
        store.Append("x", NdArray.From(values[..30], 10, 3));
        store.Flush();
        var first = File.ReadAllBytes(Chunk(0));
        Assert.Equal(1200, first.Length);
        Assert.True(first.AsSpan(0, 120).SequenceEqual(bytes.AsSpan(0, 120)), "rows 0-9");
        Assert.True(first.AsSpan(120).IndexOfAnyExcept((byte)0) < 0, "the rest of the chunk is the fill value (0)");

        // A handle opened now still reads this file after a flush that replaced it by a new one.
        using var before = new FileStream(Chunk(0), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        store.Append("x", NdArray.From(values[30..], 120, 3));
        store.Flush();
        var seen = new byte[1200];
        before.ReadExactly(seen);
        Assert.True(seen.AsSpan().SequenceEqual(bytes.AsSpan(0, 1200)), "rows 10-99 went into the same file, after rows 0-9");
        Assert.True(File.ReadAllBytes(Chunk(0)).AsSpan().SequenceEqual(bytes.AsSpan(0, 1200)));
        var next = File.ReadAllBytes(Chunk(1));
        Assert.Equal(1200, next.Length);
        Assert.True(next.AsSpan(0, 360).SequenceEqual(bytes.AsSpan(1200)), "rows 100-129");
        Assert.True(next.AsSpan(360).IndexOfAnyExcept((byte)0) < 0, "then the fill value");
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Flush_ZarrAppend_AfterTheChunkFolderWasRemoved_WritesTheChunkAnew()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, new ZarrOptions { ChunkShape = [100, 3] });
        var values = TestArrays.Floats(15 * 3);
        store.Append("x", NdArray.From(values[..30], 10, 3));
        store.Flush();
        Directory.Delete(_temp.Sub("x/c"), recursive: true);  // removed behind the store's back

        store.Append("x", NdArray.From(values[30..], 5, 3));
        store.Flush();
        var chunk = File.ReadAllBytes(_temp.Sub("x/c/0/0"));
        Assert.Equal(1200, chunk.Length);
        Assert.True(chunk.AsSpan(0, 120).IndexOfAnyExcept((byte)0) < 0, "rows 0-9, whose chunk is gone, are the fill value");
        Assert.True(chunk.AsSpan(120, 60).SequenceEqual(TestArrays.Bytes(values).AsSpan(120)), "the new rows 10-14");
    }

    [Fact]
    public void Flush_UnchangedEntries_LeavesTheirFilesAlone()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy);
        store.Write("a", NdArray.From(new[] { 1 }));
        store.Write("b", NdArray.From(new[] { 2 }));
        store.Flush();
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_temp.Sub("a.npy"), stamp);
        store.Append("b", NdArray.From(new[] { 3 }));
        store.Flush();
        store.Flush();
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(_temp.Sub("a.npy")));
        Assert.NotEqual(stamp, File.GetLastWriteTimeUtc(_temp.Sub("b.npy")));
    }

    [Fact]
    public void Reopen_FileWithTrailingBytesFromInterruptedAppend_ReadsOldArrayAndAppendsCleanly()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy))
        {
            store.Append("x", NdArray.From(new[] { 1, 2, 3 }));
        }

        // A crash between writing new rows and rewriting the header leaves rows the header does not count.
        using (var file = new FileStream(_temp.Sub("x.npy"), FileMode.Append))
        {
            file.Write(TestArrays.Bytes(new[] { 99, 99 }));
        }

        using (var store = new ArrayStore(_temp.Path, "a", DiskFormat.Npy))
        {
            Assert.Equal(new[] { 1, 2, 3 }, store.Read("x")!.ToArray<int>());
            store.Append("x", NdArray.From(new[] { 4 }));
        }

        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        Assert.Equal(new[] { 1, 2, 3, 4 }, reopened.Read("x")!.ToArray<int>());
        Assert.Equal(128 + 16, new FileInfo(_temp.Sub("x.npy")).Length);
    }

    [Fact]
    public void Flush_LeavesNoTemporaryFiles()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npz);
        store.Append("a/b", NdArray.From(new[] { 1 }));
        store.Flush();
        store.Append("a/b", NdArray.From(new[] { 2 }));
        store.Flush();
        Assert.Equal(["store.npz"], Directory.GetFiles(_temp.Path, "*", SearchOption.AllDirectories).Where(f => !TempFolder.IsStoreFile(f)).Select(Path.GetFileName));
    }

    [Fact]
    public void Flush_NpzWithMembersThatAreNotEntries_KeepsThemVerbatim()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npz))
        {
            store.Write("x", NdArray.From(new[] { 1, 2 }));
        }

        using (var zip = System.IO.Compression.ZipFile.Open(_temp.Sub("store.npz"), System.IO.Compression.ZipArchiveMode.Update))
        {
            using var writer = new StreamWriter(zip.CreateEntry("notes/readme.txt").Open());
            writer.Write("provenance: run 7");
        }

        using (var store = new ArrayStore(_temp.Path, "r+", DiskFormat.Npz))
        {
            Assert.Equal(["x"], store.Available());
            store.Append("x", NdArray.From(new[] { 3 }));
        }

        using var archive = System.IO.Compression.ZipFile.OpenRead(_temp.Sub("store.npz"));
        using var reader = new StreamReader(archive.GetEntry("notes/readme.txt")!.Open());
        Assert.Equal("provenance: run 7", reader.ReadToEnd());
        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Npz);
        Assert.Equal(new[] { 1, 2, 3 }, reopened.Read("x")!.ToArray<int>());
    }

    [Fact]
    public void Encode_Header_IsPaddedTo64WithRoomToGrow()
    {
        var header = NpyHeader.Encode(DType.Float32, [5, 3]);
        Assert.Equal(0, header.Length % 64);
        var text = System.Text.Encoding.ASCII.GetString(header, 10, header.Length - 10);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 3), }", text);
        Assert.EndsWith("\n", text);

        var parsed = NpyHeader.Read(new MemoryStream(header), "mem");
        var grown = parsed.EncodeInPlace([123_456_789_012_345_678, 3]);
        Assert.NotNull(grown);
        Assert.Equal(header.Length, grown!.Length);
        Assert.Equal(new long[] { 123_456_789_012_345_678, 3 }, NpyHeader.Read(new MemoryStream(grown), "mem").Shape);
    }
}
