using System.Buffers.Binary;
using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>
/// Big-endian Zarr arrays (v2 <c>&gt;i4</c>/<c>&gt;f8</c>, v3 <c>bytes</c> with <c>endian: big</c>,
/// plain and sharded) whose chunks are partly missing: the missing ones read as the fill value,
/// not as the fill value byte-swapped (issue 13, item 4).
/// </summary>
public class ZarrBigEndianFillTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> Arrays() => new()
    {
        // version, metadata of a (5,) array with chunks of 2 and fill value -7 (1.5 for floats)
        { "v2 >i4", """{"zarr_format": 2, "shape": [5], "chunks": [2], "dtype": ">i4", "fill_value": -7, "order": "C", "compressor": null, "filters": null}""" },
        { "v2 >f8", """{"zarr_format": 2, "shape": [5], "chunks": [2], "dtype": ">f8", "fill_value": 1.5, "order": "C", "compressor": null, "filters": null}""" },
        { "v3 int32 big", V3("int32", "-7", """[{"name": "bytes", "configuration": {"endian": "big"}}]""") },
        { "v3 float64 big", V3("float64", "1.5", """[{"name": "bytes", "configuration": {"endian": "big"}}]""") },
        {
            "v3 int32 big sharded",
            V3("int32", "-7", """
                [{"name": "sharding_indexed", "configuration": {"chunk_shape": [1],
                  "codecs": [{"name": "bytes", "configuration": {"endian": "big"}}],
                  "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}]
                """)
        },
    };

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Read_BigEndianArrayWithMissingChunks_MissingElementsAreTheFillValue(string name, string metadata)
    {
        var isFloat = name.Contains("f8") || name.Contains("float64");
        var version = name.StartsWith("v2", StringComparison.Ordinal) ? 2 : 3;
        var folder = _temp.Sub("a");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(_temp.Path, version == 2 ? ".zgroup" : "zarr.json"),
            version == 2 ? """{"zarr_format": 2}""" : """{"zarr_format": 3, "node_type": "group", "attributes": {}}""");
        File.WriteAllText(Path.Combine(folder, version == 2 ? ".zarray" : "zarr.json"), metadata);

        // Only the first chunk (elements 0 and 1: 10 and 20) is on disk, big-endian.
        var chunk = new byte[isFloat ? 16 : 8];
        for (var i = 0; i < 2; i++)
        {
            if (isFloat)
            {
                BinaryPrimitives.WriteDoubleBigEndian(chunk.AsSpan(i * 8), 10 * (i + 1));
            }
            else
            {
                BinaryPrimitives.WriteInt32BigEndian(chunk.AsSpan(i * 4), 10 * (i + 1));
            }
        }

        var sharded = name.Contains("sharded");
        var key = version == 2 ? "0" : Path.Combine("c", "0");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, key))!);
        File.WriteAllBytes(Path.Combine(folder, key), sharded ? Shard(chunk) : chunk);

        using var store = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        var read = store.Read("a")!;
        if (isFloat)
        {
            Assert.Equal([10.0, 20.0, 1.5, 1.5, 1.5], read.AsSpan<double>().ToArray());
        }
        else
        {
            Assert.Equal([10, 20, -7, -7, -7], read.AsSpan<int>().ToArray());
        }
    }

    private static string V3(string dtype, string fill, string codecs) =>
        "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [5], \"data_type\": \"" + dtype + "\", " +
        "\"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [2]}}, " +
        "\"chunk_key_encoding\": {\"name\": \"default\", \"configuration\": {\"separator\": \"/\"}}, " +
        "\"fill_value\": " + fill + ", \"codecs\": " + codecs + ", \"attributes\": {}}";

    // A shard of two inner chunks of one element each, both stored, index at the end without checksum.
    private static byte[] Shard(byte[] chunk)
    {
        var half = chunk.Length / 2;
        var shard = new byte[chunk.Length + 32];
        chunk.CopyTo(shard, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(shard.AsSpan(chunk.Length), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(shard.AsSpan(chunk.Length + 8), (ulong)half);
        BinaryPrimitives.WriteUInt64LittleEndian(shard.AsSpan(chunk.Length + 16), (ulong)half);
        BinaryPrimitives.WriteUInt64LittleEndian(shard.AsSpan(chunk.Length + 24), (ulong)half);
        return shard;
    }
}
