using System.Security.Cryptography;
using System.Text.Json;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Formats.Zarr;
using Store.Core.Tests;

namespace Store.Interop.Tests;

public class ZarrInteropTests : IDisposable
{
    internal static readonly long[] Shape = [11, 5, 3];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<ZarrCompressor, char> V2Layouts()
    {
        var data = new TheoryData<ZarrCompressor, char>();
        foreach (var compressor in new[] { ZarrCompressor.None, ZarrCompressor.Gzip, ZarrCompressor.Zlib, ZarrCompressor.Zstd })
        {
            data.Add(compressor, '.');
            data.Add(compressor, '/');
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(V2Layouts))]
    public void ZarrPython_ReadsEveryV2ArrayTheStoreWrites(ZarrCompressor compressor, char separator)
    {
        var paths = WriteEveryDType(_temp.Path, new ZarrOptions { Version = 2, Compressor = compressor, DimensionSeparator = separator, ChunkShape = [4, 2, 3] });
        var seen = ZarrPythonReads(paths.Keys);
        foreach (var (path, dtype) in paths)
        {
            var array = seen.GetProperty(path);
            AssertEqualsTheSequence(array, dtype);
            Assert.Equal([4L, 2, 3], array.GetProperty("chunks").EnumerateArray().Select(e => e.GetInt64()));
            Assert.Equal(compressor == ZarrCompressor.None ? null : compressor.ToString().ToLowerInvariant(), array.GetProperty("compressor").GetString());
        }
    }

    /// <summary>
    /// Chunks of whole rows, flushed three times: the last chunk's rows are written, then more rows
    /// are appended into the same chunk file in place, with a hole (zeros) after them each time
    /// (v3 arrays: <see cref="ZarritaTests"/>' "rows" layout; zarr-python here is 2.13, v2 only).
    /// </summary>
    [Fact]
    public void ZarrPython_ReadsArraysWhoseChunksGrewInPlace()
    {
        var paths = WriteEveryDType(_temp.Path, new ZarrOptions { Version = 2, ChunkShape = [4, 5, 3] });
        var seen = ZarrPythonReads(paths.Keys);
        foreach (var (path, dtype) in paths)
        {
            AssertEqualsTheSequence(seen.GetProperty(path), dtype);
            Assert.Equal([4L, 5, 3], seen.GetProperty(path).GetProperty("chunks").EnumerateArray().Select(e => e.GetInt64()));
        }
    }

    /// <summary>What zarr-python reads from each of <paramref name="paths"/> under the temporary root: dtype, shape, chunks, compressor, sha256 of the values (little-endian).</summary>
    private JsonElement ZarrPythonReads(IEnumerable<string> paths) => JsonDocument.Parse(Numpy.Run(
        """
        import zarr
        group = zarr.open_group(sys.argv[1], mode="r")
        out = {}
        for path in sys.argv[2:]:
            a = group[path]
            v = a[...]
            le = np.ascontiguousarray(v.astype(v.dtype.newbyteorder("<")))
            out[path] = {"dtype": str(v.dtype), "shape": list(a.shape), "chunks": list(a.chunks),
                         "compressor": a.compressor.codec_id if a.compressor else None,
                         "sha256": hashlib.sha256(le.tobytes()).hexdigest()}
        print(json.dumps(out))
        """,
        [_temp.Path, .. paths])).RootElement;

    private static void AssertEqualsTheSequence(JsonElement array, DType dtype)
    {
        Assert.Equal(dtype.Name(), array.GetProperty("dtype").GetString());
        Assert.Equal(Shape, array.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(Sha256(TestArrays.Sequence(dtype, Shape)), array.GetProperty("sha256").GetString());
    }

    /// <summary>Writes one array per dtype, shaped <see cref="Shape"/>, in three flushes (so chunks are rewritten and added); returns path → dtype.</summary>
    internal static Dictionary<string, DType> WriteEveryDType(string root, ZarrOptions options)
    {
        var paths = new Dictionary<string, DType>();
        using var store = new ArrayStore(root, "w", DiskFormat.Zarr, options);
        foreach (var dtype in DTypes.All)
        {
            var path = $"ens0/run0/{dtype.Name()}";
            var whole = TestArrays.Sequence(dtype, Shape);
            foreach (var (start, stop) in new[] { (0L, 3L), (3L, 9L), (9L, 11L) })
            {
                store.Append(path, TestArrays.Rows(whole, start, stop));
                store.Flush();
            }

            paths[path] = dtype;
        }

        return paths;
    }

    internal static string Sha256(NdArray array) => Convert.ToHexStringLower(SHA256.HashData(array.Bytes));
}
