using System.Text.Json;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Formats.Zarr;
using Store.Core.Tests;

namespace Store.Interop.Tests;

/// <summary>zarrita (npm, tests/interop/zarr.mjs) reads every v3 array the store writes, and the store reads zarrita's.</summary>
public class ZarritaTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> V3Layouts() => ["plain", "rows", "gzip", "zstd", "sharded", "sharded_zstd", "v2_keys"];

    private static ZarrOptions Options(string layout) => layout switch
    {
        "plain" => new ZarrOptions { ChunkShape = [4, 2, 3] },
        // Whole rows per chunk: flushes append rows into a chunk file in place and leave a hole after them.
        "rows" => new ZarrOptions { ChunkShape = [4, 5, 3] },
        "gzip" => new ZarrOptions { ChunkShape = [4, 2, 3], Compressor = ZarrCompressor.Gzip },
        "zstd" => new ZarrOptions { ChunkShape = [4, 2, 3], Compressor = ZarrCompressor.Zstd },
        "sharded" => new ZarrOptions { ChunkShape = [2, 2, 3], ChunksPerShard = 3 },
        "sharded_zstd" => new ZarrOptions { ChunkShape = [2, 5, 3], ChunksPerShard = 2, Compressor = ZarrCompressor.Zstd },
        "v2_keys" => new ZarrOptions { ChunkShape = [4, 2, 3], V2ChunkKeys = true, DimensionSeparator = '.' },
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    [Theory]
    [MemberData(nameof(V3Layouts))]
    public void Zarrita_ReadsEveryV3ArrayTheStoreWrites(string layout)
    {
        var options = Options(layout);
        var paths = ZarrInteropTests.WriteEveryDType(_temp.Path, options);
        var seen = Readers.Zarrita(_temp.Path, paths.Keys);
        foreach (var (path, dtype) in paths)
        {
            var array = seen.GetProperty(path);
            Assert.Equal(dtype.Name(), array.GetProperty("dtype").GetString());
            Assert.Equal(ZarrInteropTests.Shape, array.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
            if (options.ChunksPerShard is null)
            {
                Assert.Equal(options.ChunkShape!.Select(c => (long)c), array.GetProperty("chunks").EnumerateArray().Select(e => e.GetInt64()));
            }

            Assert.Equal(ZarrInteropTests.Sha256(TestArrays.Sequence(dtype, ZarrInteropTests.Shape)), array.GetProperty("sha256").GetString());
        }
    }

    [Fact]
    public void Read_ZarritaWrittenV3Arrays_EqualTheFormula()
    {
        var written = Readers.ZarritaWrite(_temp.Path).EnumerateArray().ToList();
        Assert.True(written.Count > 40, $"zarrita wrote only {written.Count} arrays");

        using var store = new ArrayStore(_temp.Path, "r", DiskFormat.Zarr);
        Assert.Equal(written.Select(w => w.GetProperty("path").GetString()!).Order(StringComparer.Ordinal), store.Available());
        foreach (var spec in written)
        {
            var path = spec.GetProperty("path").GetString()!;
            var dtype = DTypes.All.Single(d => d.Name() == spec.GetProperty("dtype").GetString());
            var shape = spec.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var expected = TestArrays.Sequence(dtype, shape);
            var rows = spec.GetProperty("rows").GetInt64();
            if (rows < shape[0])
            {
                Assert.Equal(DType.Float64, dtype);
                expected.AsSpan<double>()[(int)(rows * shape[1] * shape[2])..].Fill(spec.GetProperty("fill").GetDouble());
            }

            var actual = store.Read(path)!;
            Assert.Equal(dtype, actual.DType);
            Assert.Equal(shape, actual.Shape.ToArray());
            Assert.True(expected.Bytes.SequenceEqual(actual.Bytes), $"{path}: values differ");
        }
    }

    [Fact]
    public void Append_ToZarritaArrays_ZarritaReadsTheGrownArrays()
    {
        Readers.ZarritaWrite(_temp.Path);
        string[] paths = ["plain/int64", "zstd/float32", "dot_separator/uint8", "big_endian/int16"];
        var grown = new Dictionary<string, NdArray>();
        using (var store = new ArrayStore(_temp.Path, "r+", DiskFormat.Zarr))
        {
            foreach (var path in paths)
            {
                grown[path] = TestArrays.Sequence(store.Read(path)!.DType, 14, 5, 3);
                store.Append(path, TestArrays.Rows(grown[path], 11, 14));
            }

            store.Flush();
        }

        var seen = Readers.Zarrita(_temp.Path, paths);
        foreach (var path in paths)
        {
            Assert.Equal([14L, 5, 3], seen.GetProperty(path).GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
            Assert.Equal(ZarrInteropTests.Sha256(grown[path]), seen.GetProperty(path).GetProperty("sha256").GetString());
        }
    }
}
