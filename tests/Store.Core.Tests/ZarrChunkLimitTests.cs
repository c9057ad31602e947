using System.Text.Json.Nodes;
using Store.Core.Arrays;
using Store.Core.Formats.Zarr;

namespace Store.Core.Tests;

/// <summary>
/// A Zarr chunk (and a shard) is built in one byte buffer, so one larger than a .NET array holds
/// (<see cref="Array.MaxLength"/> bytes) is refused with a typed error naming the chunk shape when
/// it is asked for (options, write, the first append), never with an OverflowException at flush;
/// a file on disk with such chunks is a <see cref="CorruptDataException"/> naming it.
/// </summary>
public class ZarrChunkLimitTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static NdArray Frames(int rows) => NdArray.From(Enumerable.Range(0, rows * 3).Select(i => (double)i).ToArray(), rows, 3);

    [Theory]
    [InlineData(new[] { int.MaxValue, int.MaxValue })]
    [InlineData(new[] { 1 << 16, 1 << 15 })]
    [InlineData(new[] { 1 << 28, 2 })]
    public void Write_ChunksLargerThanOneBuffer_ThrowsShapeExceptionNamingThem(int[] chunks)
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr);
        store.Write("ok", Frames(2));

        var error = Assert.Throws<ShapeException>(() => store.Write("x", Frames(2), chunks));
        Assert.Contains($"({string.Join(", ", chunks)})", error.Message);
        Assert.Contains("'x'", error.Message);
        Assert.Equal("x", error.EntryPath);

        Assert.Equal(["ok"], store.Available());
        store.Flush();
        Assert.Equal(Frames(2).ToArray<double>(), store.Read("ok")!.ToArray<double>());
    }

    [Fact]
    public void Validate_ChunksAtTheLimit_AreAccepted()
    {
        // A chunk of Array.MaxLength one-byte elements fits one buffer; one more element does not.
        new ZarrOptions { ChunkShape = [Array.MaxLength, 1] }.Validate();
        Assert.ThrowsAny<StoreException>(() => new ZarrOptions { ChunkShape = [Array.MaxLength + 1, 1] }.Validate());

        // A shard of two such chunks holds them and its index (2 × 16 bytes and a 4-byte checksum).
        var rows = (Array.MaxLength - 36) / 4;
        new ZarrOptions { ChunkShape = [rows, 2], ChunksPerShard = 2 }.Validate();
        Assert.ThrowsAny<StoreException>(() => new ZarrOptions { ChunkShape = [rows + 1, 2], ChunksPerShard = 2 }.Validate());
    }

    [Theory]
    [InlineData(new[] { int.MaxValue, int.MaxValue }, null)]
    [InlineData(new[] { 1 << 16, 1 << 16 }, null)]
    [InlineData(new[] { 1 << 20, 3 }, 1024)]
    [InlineData(new[] { 1 << 30, 1 }, 2)]
    [InlineData(new[] { 2, 1 }, int.MaxValue)]
    public void Open_OptionsChunksLargerThanOneBuffer_ThrowsStoreExceptionNamingTheOption(int[] chunks, int? chunksPerShard)
    {
        var options = new ZarrOptions { ChunkShape = chunks, ChunksPerShard = chunksPerShard };
        var error = Assert.ThrowsAny<StoreException>(() => new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: options));
        Assert.Contains(chunksPerShard is null ? "ZarrOptions.ChunkShape" : "ZarrOptions.ChunksPerShard", error.Message);
        Assert.Contains($"({string.Join(", ", chunks)})", error.Message);
    }

    [Fact]
    public void Append_OptionsChunksTooLargeForTheDType_ThrowsAtAppendNotAtFlush()
    {
        // 2^28 elements fit one buffer as bytes, but not as float64 (2 GiB).
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { ChunkShape = [1 << 28, 1] });
        var error = Assert.Throws<ShapeException>(() => store.Append("x", NdArray.From(new double[] { 1, 2 }, 2, 1)));
        Assert.Contains("(268435456, 1)", error.Message);
        Assert.Contains("float64", error.Message);
        Assert.Empty(store.Available());
        store.Flush();
    }

    [Fact]
    public void Append_OptionsChunksOfAnotherRank_ThrowsAtAppendNotAtFlush()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { ChunkShape = [4, 3] });
        var error = Assert.Throws<ShapeException>(() => store.Append("x", NdArray.Zeros(DType.Float32, 2, 3, 3)));
        Assert.Contains("(4, 3)", error.Message);
        Assert.Empty(store.Available());
        store.Flush();
    }

    [Fact]
    public void Append_DefaultChunksSharded_ShardLargerThanOneBuffer_ThrowsAtAppend()
    {
        // Default chunks of ~2 MiB of 1-byte rows, 2048 of them per shard: 4 GiB shards.
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { ChunksPerShard = 2048 });
        var error = Assert.Throws<ShapeException>(() => store.Append("x", NdArray.From(new byte[] { 1, 2, 3 })));
        Assert.Contains("2048", error.Message);
        Assert.Empty(store.Available());
    }

    [Theory]
    [InlineData(2, "[2147483647, 2147483647]")]
    [InlineData(2, "[1073741824, 4]")]
    [InlineData(3, "[2147483647, 2147483647]")]
    public void Read_FileWithChunksLargerThanOneBuffer_ThrowsCorruptDataNamingTheFile(int version, string chunks)
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, zarr: new ZarrOptions { Version = version }))
        {
            store.Write("x", Frames(2));
            store.Write("ok", Frames(1));
        }

        var file = _temp.Sub(version == 2 ? "x/.zarray" : "x/zarr.json");
        var metadata = JsonNode.Parse(File.ReadAllText(file))!;
        if (version == 2)
        {
            metadata["chunks"] = JsonNode.Parse(chunks);
        }
        else
        {
            metadata["chunk_grid"]!["configuration"]!["chunk_shape"] = JsonNode.Parse(chunks);
        }

        File.WriteAllText(file, metadata.ToJsonString());
        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        var error = Assert.Throws<CorruptDataException>(() => reopened.Read("x"));
        Assert.Contains(Path.GetFileName(file), error.Message);
        Assert.Equal(Frames(1).ToArray<double>(), reopened.Read("ok")!.ToArray<double>());
    }
}
