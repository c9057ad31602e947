using System.Text.Json.Nodes;
using Store.Core.Arrays;
using Store.Core.Formats.Zarr;

namespace Store.Core.Tests;

public class ZarrTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<int, ZarrCompressor, char, int> Layouts()
    {
        var data = new TheoryData<int, ZarrCompressor, char, int>();
        foreach (var compressor in new[] { ZarrCompressor.None, ZarrCompressor.Gzip, ZarrCompressor.Zlib, ZarrCompressor.Zstd })
        {
            data.Add(2, compressor, '.', 1);
            data.Add(2, compressor, '/', 1);
        }

        foreach (var compressor in new[] { ZarrCompressor.None, ZarrCompressor.Gzip, ZarrCompressor.Zstd })
        {
            data.Add(3, compressor, '/', 1);
            data.Add(3, compressor, '.', 1);
            data.Add(3, compressor, '/', 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void AppendAcrossFlushes_ChunkedOnEveryAxis_ReadsBackEqualAfterReopen(int version, ZarrCompressor compressor, char separator, int chunksPerShard)
    {
        var options = new ZarrOptions { Version = version, Compressor = compressor, DimensionSeparator = separator, ChunkShape = [4, 2, 3], ChunksPerShard = chunksPerShard };
        foreach (var dtype in DTypes.All)
        {
            var whole = TestArrays.Sequence(dtype, 11, 5, 3);
            var path = $"ens0/{dtype}";
            using (var store = new ArrayStore(_temp.Path, "a", DiskFormat.Zarr, zarr: options))
            {
                foreach (var (start, stop) in new[] { (0L, 3L), (3L, 4L), (4L, 9L), (9L, 11L) })
                {
                    store.Append(path, TestArrays.Rows(whole, start, stop));
                    store.Flush();
                }
            }

            using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
            Assert.Equal(whole.Bytes.ToArray(), reopened.Read(path)!.Bytes.ToArray());
            Assert.Equal(whole.Shape, reopened.Shape(path));
            var metadata = MetadataOf(path, version);
            Assert.Equal(version, (int)metadata["zarr_format"]!);
        }
    }

    [Fact]
    public void Write_Defaults_V3ChunkedAlongAxis0NearTwoMiB_InAZarrGroup()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr))
        {
            store.Write("ens0/run0/coordinates", NdArray.Zeros(DType.Float32, 1000, 1000, 3));
        }

        var metadata = MetadataOf("ens0/run0/coordinates", 3);
        Assert.Equal("array", (string)metadata["node_type"]!);
        Assert.Equal("float32", (string)metadata["data_type"]!);
        Assert.Equal([174, 1000, 3], metadata["chunk_grid"]!["configuration"]!["chunk_shape"]!.AsArray().Select(n => (int)n!).ToArray());
        Assert.Equal("default", (string)metadata["chunk_key_encoding"]!["name"]!);
        Assert.True(File.Exists(_temp.Sub("ens0/run0/coordinates/c/0/0/0")));
        Assert.True(File.Exists(_temp.Sub("ens0/run0/coordinates/c/5/0/0")));
        foreach (var group in new[] { "", "ens0", "ens0/run0" })
        {
            var document = JsonNode.Parse(File.ReadAllText(Path.Combine(_temp.Path, group, "zarr.json")))!;
            Assert.Equal("group", (string)document["node_type"]!);
        }
    }

    [Fact]
    public void Write_PerEntryChunks_WinOverTheStoreDefault()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = 2, ChunkShape = [100, 3] }))
        {
            store.Write("a", NdArray.Zeros(DType.Int32, 10, 3), chunks: [2, 3]);
            store.Write("b", NdArray.Zeros(DType.Int32, 10, 3));
            Assert.Throws<ShapeException>(() => store.Write("c", NdArray.Zeros(DType.Int32, 10, 3), chunks: [2]));
        }

        Assert.Equal([2, 3], MetadataOf("a", 2)["chunks"]!.AsArray().Select(n => (int)n!).ToArray());
        Assert.Equal([100, 3], MetadataOf("b", 2)["chunks"]!.AsArray().Select(n => (int)n!).ToArray());
    }

    [Fact]
    public void Flush_AfterAppends_WritesOnlyTheLastPartialChunkAndNewOnes()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = 2, ChunkShape = [4, 3] });
        store.Append("x", NdArray.From(TestArrays.Floats(30), 10, 3));
        store.Flush();
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var key in new[] { "0.0", "1.0", "2.0" })
        {
            File.SetLastWriteTimeUtc(_temp.Sub($"x/{key}"), stamp);
        }

        store.Append("x", NdArray.From(TestArrays.Floats(9, 100), 3, 3));
        store.Flush();
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(_temp.Sub("x/0.0")));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(_temp.Sub("x/1.0")));
        Assert.NotEqual(stamp, File.GetLastWriteTimeUtc(_temp.Sub("x/2.0")));
        Assert.True(File.Exists(_temp.Sub("x/3.0")));
        Assert.Equal([13, 3], MetadataOf("x", 2)["shape"]!.AsArray().Select(n => (int)n!).ToArray());
        Assert.Equal(TestArrays.Floats(30).Concat(TestArrays.Floats(9, 100)), store.Read("x")!.ToArray<float>());
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Flush_ShardedAppends_RewriteOnlyTheOpenShard()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { ChunkShape = [2, 3], ChunksPerShard = 4 });
        for (var frame = 0; frame < 20; frame++)
        {
            store.Append("x", NdArray.From(TestArrays.Floats(3, frame * 10), 1, 3));
            if (frame == 9)
            {
                store.Flush();
                File.SetLastWriteTimeUtc(_temp.Sub("x/c/0/0"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            }
        }

        store.Flush();
        Assert.Equal(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(_temp.Sub("x/c/0/0")));
        Assert.Equal(["0", "1", "2"], Directory.GetDirectories(_temp.Sub("x/c")).Select(f => Path.GetFileName(f)!).Order().ToArray());
        var expected = Enumerable.Range(0, 20).SelectMany(f => TestArrays.Floats(3, f * 10)).ToArray();
        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        Assert.Equal(expected, reopened.Read("x")!.ToArray<float>());
        Assert.Equal(expected[(7 * 3)..(13 * 3)], reopened.Read("x", ArrayView.Parse("7:13"))!.ToArray<float>());
    }

    [Fact]
    public void Read_MissingChunk_IsTheFillValue()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = 2, ChunkShape = [2] }))
        {
            store.Write("x", NdArray.From(new long[] { 1, 2, 3, 4, 5, 6 }));
        }

        var metadataFile = _temp.Sub("x/.zarray");
        var metadata = JsonNode.Parse(File.ReadAllText(metadataFile))!;
        metadata["fill_value"] = -9;
        File.WriteAllText(metadataFile, metadata.ToJsonString());
        File.Delete(_temp.Sub("x/1"));

        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        Assert.Equal([1L, 2, -9, -9, 5, 6], reopened.Read("x")!.ToArray<long>());
    }

    [Theory]
    [InlineData(2, ZarrCompressor.None)]
    [InlineData(2, ZarrCompressor.Zstd)]
    [InlineData(3, ZarrCompressor.Gzip)]
    public void Read_TruncatedOrGarbledChunk_NamesTheChunk_AndOtherChunksAndEntriesStillRead(int version, ZarrCompressor compressor)
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = version, Compressor = compressor, ChunkShape = [2, 3] }))
        {
            store.Write("bad", NdArray.From(TestArrays.Floats(18), 6, 3));
            store.Write("good", NdArray.From(TestArrays.Floats(6), 2, 3));
        }

        var key = version == 2 ? "1.0" : "c/1/0";
        var chunk = _temp.Sub($"bad/{key}");
        File.WriteAllBytes(chunk, compressor == ZarrCompressor.None ? File.ReadAllBytes(chunk)[..5] : [.. Enumerable.Repeat((byte)0xEE, 16)]);

        using var reopened = new ArrayStore(_temp.Path, "r+", DiskFormat.Zarr);
        var error = Assert.Throws<CorruptDataException>(() => reopened.Read("bad"));
        Assert.Contains($"'{key}'", error.Message);
        Assert.Equal(TestArrays.Floats(18)[12..], reopened.Read("bad", ArrayView.Parse("4:6"))!.ToArray<float>());
        Assert.Equal(TestArrays.Floats(6), reopened.Read("good")!.ToArray<float>());
        reopened.Append("good", NdArray.From(TestArrays.Floats(3), 1, 3));
        reopened.Flush();
    }

    [Fact]
    public void Open_UnsupportedCodecOrMalformedMetadata_IsReportedForThatArrayOnly()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = 2 }))
        {
            store.Write("blosc", NdArray.From(TestArrays.Floats(4)));
            store.Write("broken", NdArray.From(TestArrays.Floats(4)));
            store.Write("good", NdArray.From(TestArrays.Floats(4)));
        }

        var blosc = JsonNode.Parse(File.ReadAllText(_temp.Sub("blosc/.zarray")))!;
        blosc["compressor"] = new JsonObject { ["id"] = "blosc", ["cname"] = "lz4", ["clevel"] = 5, ["shuffle"] = 1 };
        File.WriteAllText(_temp.Sub("blosc/.zarray"), blosc.ToJsonString());
        File.WriteAllText(_temp.Sub("broken/.zarray"), "{\"zarr_format\": 2, \"shape\": [4");

        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        Assert.Equal(["blosc", "broken", "good"], reopened.Available());
        var unsupported = Assert.Throws<CorruptDataException>(() => reopened.Read("blosc"));
        Assert.Contains("'blosc'", unsupported.Message);
        Assert.Contains(_temp.Sub("blosc"), unsupported.Message);
        var malformed = Assert.Throws<CorruptDataException>(() => reopened.Shape("broken"));
        Assert.Contains(_temp.Sub("broken/.zarray"), malformed.Message);
        Assert.Equal(TestArrays.Floats(4), reopened.Read("good")!.ToArray<float>());
    }

    [Fact]
    public void Get_ReadsOnlyTheChunksAViewTouches()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { ChunkShape = [2, 3] }))
        {
            store.Write("x", NdArray.From(TestArrays.Floats(30), 10, 3));
        }

        File.WriteAllBytes(_temp.Sub("x/c/0/0"), [1, 2, 3]);
        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        var reference = reopened.Get("x")!;
        Assert.Equal(TestArrays.Floats(30)[(2 * 3)..], reference.Read(ArrayView.Parse("2:"))!.ToArray<float>());
        Assert.Equal(TestArrays.Floats(30)[(5 * 3)..(6 * 3)], reference["5"].ToArray<float>());
        Assert.Throws<CorruptDataException>(() => reference["1, 0"]);
    }

    [Fact]
    public void Iter_Default_YieldsChunkAlignedBlocks()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { ChunkShape = [4, 3] }))
        {
            store.Write("x", NdArray.From(TestArrays.Floats(30), 10, 3));
        }

        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        var blocks = reopened.Iter("x").ToList();
        Assert.Equal([4L, 4, 2], blocks.Select(b => b.Shape[0]));
        Assert.Equal(TestArrays.Floats(30), blocks.SelectMany(b => b.ToArray<float>()));
    }

    [Fact]
    public void Replace_WithAnotherDType_RewritesTheArray_SmallerShapeLeavesNoStaleChunks()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = 2, ChunkShape = [2] });
        store.Write("x", NdArray.From(new float[] { 1, 2, 3, 4, 5, 6 }));
        store.Flush();
        store.Write("x", NdArray.From(new short[] { 7, 8, 9 }));
        store.Flush();
        Assert.Equal(["0", "1"], Directory.GetFiles(_temp.Sub("x")).Select(f => Path.GetFileName(f)!).Where(n => !n.StartsWith('.')).Order().ToArray());

        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        Assert.Equal(DType.Int16, reopened.DTypeOf("x"));
        Assert.Equal([(short)7, 8, 9], reopened.Read("x")!.ToArray<short>());
    }

    [Fact]
    public void WriteWithView_IntoFlushedChunks_RewritesThemInPlace()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { ChunkShape = [2, 3] }))
        {
            store.Write("x", NdArray.From(TestArrays.Floats(12), 4, 3));
            store.Flush();
            store.Write("x", NdArray.From(new float[] { -1, -2, -3 }, 3), ArrayView.Parse("1"));
        }

        var expected = TestArrays.Floats(12);
        expected[3] = -1;
        expected[4] = -2;
        expected[5] = -3;
        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        Assert.Equal(expected, reopened.Read("x")!.ToArray<float>());
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedWithTheirName()
    {
        Assert.Contains("Version", Assert.Throws<StoreException>(() => new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = 4 })).Message);
        Assert.Contains("zlib", Assert.Throws<StoreException>(() => new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Compressor = ZarrCompressor.Zlib })).Message);
        Assert.Contains("sharding", Assert.Throws<StoreException>(() => new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = 2, ChunksPerShard = 4 })).Message);
        Assert.Contains("DimensionSeparator", Assert.Throws<StoreException>(() => new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { DimensionSeparator = '-' })).Message);
    }

    [Fact]
    public void ModeW_RemovesZarrArraysAndGroups_ButNotOtherFiles()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr))
        {
            store.Write("a/b", NdArray.From(TestArrays.Floats(3)));
        }

        File.WriteAllText(_temp.Sub("notes.txt"), "keep me");
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr))
        {
            Assert.Empty(store.Available());
        }

        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(_temp.Path).Where(f => !TempFolder.IsStoreFile(f)).Select(f => Path.GetFileName(f)!).ToArray());
    }

    private JsonNode MetadataOf(string path, int version) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(_temp.Path, path, version == 2 ? ".zarray" : "zarr.json")))!;
}
