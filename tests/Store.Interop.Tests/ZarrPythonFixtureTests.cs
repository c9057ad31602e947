using System.Text.Json;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;

namespace Store.Interop.Tests;

/// <summary>
/// Zarr v2 arrays written by zarr-python 2.13 (tests/fixtures/make_zarr_fixtures.py, checked in under data/zarr)
/// read back equal to the fixture formula and to zarr-python's own read-back; broken ones are reported by name.
/// </summary>
public class ZarrPythonFixtureTests : IDisposable
{
    private static readonly string Data = Path.Combine(Readers.RepositoryRoot(), "tests", "Store.Interop.Tests", "data", "zarr");
    private static readonly JsonElement Manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Data, "manifest.json"))).RootElement;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Arrays() => [.. Manifest.GetProperty("arrays").EnumerateArray().Select(a => a.GetProperty("path").GetString()!)];

    public static TheoryData<string> BrokenArrays() => [.. Manifest.GetProperty("bad").EnumerateArray().Select(a => a.GetProperty("path").GetString()!)];

    [Fact]
    public void Open_ZarrPythonGroup_ListsEveryArray()
    {
        using var store = new ArrayStore(CopyOf("v2"), "r", DiskFormat.Zarr);
        var paths = Manifest.GetProperty("arrays").EnumerateArray().Select(a => a.GetProperty("path").GetString()!);
        Assert.Equal(paths.Order(StringComparer.Ordinal), store.Available());
    }

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Read_ZarrPythonWrittenArray_EqualsFormulaAndZarrPythonsReadBack(string path)
    {
        var spec = Manifest.GetProperty("arrays").EnumerateArray().Single(a => a.GetProperty("path").GetString() == path);
        using var store = new ArrayStore(CopyOf("v2"), "r", DiskFormat.Zarr);

        var actual = store.Read(path)!;
        var expected = Expected(spec);
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.True(expected.Bytes.SequenceEqual(actual.Bytes), $"{path}: values differ from the formula");
        Assert.Equal(spec.GetProperty("sha256").GetString(), ZarrInteropTests.Sha256(actual));

        var last = store.Get(path)!.Read(ArrayView.Parse("-1"));
        Assert.True(TestArrays.Rows(expected, expected.Shape[0] - 1, expected.Shape[0]).Bytes.SequenceEqual(last.Bytes), $"{path}: last row differs");
    }

    [Fact]
    public void Append_ToZarrPythonArrays_ZarrPythonReadsTheGrownArrays()
    {
        var root = CopyOf("v2");
        string[] paths = ["none/uint16", "zstd/float64", "nested/int32", "zlib/bool", "big_endian/float32"];
        var grown = new Dictionary<string, NdArray>();
        using (var store = new ArrayStore(root, "r+", DiskFormat.Zarr))
        {
            foreach (var path in paths)
            {
                var dtype = store.Read(path)!.DType;
                grown[path] = TestArrays.Sequence(dtype, 14, 5, 3);
                store.Append(path, TestArrays.Rows(grown[path], 11, 14));
            }

            store.Flush();
        }

        var seen = JsonDocument.Parse(Numpy.Run(
            """
            import zarr
            group = zarr.open_group(sys.argv[1], mode="r")
            out = {}
            for path in sys.argv[2:]:
                v = group[path][...]
                le = np.ascontiguousarray(v.astype(v.dtype.newbyteorder("<")))
                out[path] = {"shape": list(v.shape), "sha256": hashlib.sha256(le.tobytes()).hexdigest()}
            print(json.dumps(out))
            """,
            [root, .. paths])).RootElement;
        foreach (var path in paths)
        {
            Assert.Equal([14L, 5, 3], seen.GetProperty(path).GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(ZarrInteropTests.Sha256(grown[path]), seen.GetProperty(path).GetProperty("sha256").GetString());
        }
    }

    [Fact]
    public void Open_ZarrPythonGroupWithoutAFormat_ListsItsArraysAndAddsV2ArraysZarrPythonSees()
    {
        var root = CopyOf("v2");
        using (var store = new ArrayStore(root, "a"))
        {
            Assert.Equal(DiskFormat.Zarr, store.DiskFormat);
            Assert.Equal(Arrays().Count, store.Available().Count);
            store.Append("added/x", TestArrays.Sequence(DType.Int32, 6, 2));
        }

        Assert.True(File.Exists(Path.Combine(root, "added", "x", ".zarray")));
        Assert.False(File.Exists(Path.Combine(root, "zarr.json")), "a v3 group document beside v2 arrays hides them from zarr-python 2");
        var seen = JsonDocument.Parse(Numpy.Run(
            """
            import zarr
            group = zarr.open_group(sys.argv[1], mode="r")
            v = group["added/x"][...]
            print(json.dumps({"shape": list(v.shape), "values": v.ravel().tolist(), "arrays": len(list(group["none"].array_keys()))}))
            """,
            root)).RootElement;
        Assert.Equal([6L, 2], seen.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(TestArrays.Sequence(DType.Int32, 6, 2).ToArray<int>(), seen.GetProperty("values").EnumerateArray().Select(v => v.GetInt32()));
        Assert.True(seen.GetProperty("arrays").GetInt32() > 0);
    }

    [Theory]
    [MemberData(nameof(BrokenArrays))]
    public void Read_BrokenZarrPythonArray_NamesTheProblem_AndTheGoodArrayStillReads(string path)
    {
        var spec = Manifest.GetProperty("bad").EnumerateArray().Single(a => a.GetProperty("path").GetString() == path);
        using var store = new ArrayStore(CopyOf("v2-bad"), "r", DiskFormat.Zarr);
        Assert.Contains(path, store.Available());

        var error = Assert.ThrowsAny<StoreException>(() => store.Read(path));
        foreach (var word in spec.GetProperty("must_name").EnumerateArray())
        {
            Assert.Contains(word.GetString()!, error.Message);
        }

        var good = Manifest.GetProperty("good");
        var expected = TestArrays.Sequence(DType.Float32, [.. good.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())]);
        Assert.True(expected.Bytes.SequenceEqual(store.Read(good.GetProperty("path").GetString()!)!.Bytes));
    }

    [Theory]
    [InlineData("truncated", 0, 2)]
    [InlineData("garbled_zstd", 2, 4)]
    public void Read_ArrayWithOneBadChunk_StillReadsTheOtherChunks(string path, long start, long stop)
    {
        using var store = new ArrayStore(CopyOf("v2-bad"), "r", DiskFormat.Zarr);
        var expected = TestArrays.Rows(TestArrays.Sequence(DType.Float32, 6, 3), start, stop);
        Assert.True(expected.Bytes.SequenceEqual(store.Read(path, ArrayView.Rows(start, stop))!.Bytes));
    }

    /// <summary>The fixture formula's values, with rows past those zarr-python wrote set to the array's fill value.</summary>
    private static NdArray Expected(JsonElement spec)
    {
        var dtype = DTypes.All.Single(d => d.Name() == spec.GetProperty("dtype").GetString());
        var shape = spec.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var expected = TestArrays.Sequence(dtype, shape);
        var rowSize = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var written = (int)(spec.GetProperty("rows").GetInt64() * rowSize);
        var fill = spec.GetProperty("fill");
        switch (dtype)
        {
            case DType.Int32:
                expected.AsSpan<int>()[written..].Fill(fill.GetInt32());
                break;
            case DType.Float64:
                expected.AsSpan<double>()[written..].Fill(fill.GetDouble());
                break;
            default:
                Assert.True(written == expected.Length, $"no fill rule for {dtype}");
                break;
        }

        return expected;
    }

    private string CopyOf(string group)
    {
        var target = _temp.Sub(group);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Data, group), "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(Path.Combine(Data, group), file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}
