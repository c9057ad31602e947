using System.Security.Cryptography;
using System.Text.Json;
using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>Every file the store writes loads in numpy (Debian's, via /usr/bin/python3) with the same values.</summary>
public class NumpyInteropTests : IDisposable
{
    // Prints {key: [dtype.str, shape, sha256 of the little-endian C-order bytes]} for each loaded array.
    private const string Describe = """
        def describe(a):
            descr, shape = a.dtype.str, list(a.shape)
            a = np.array(a, dtype=a.dtype.newbyteorder('<'), order='C')
            return [descr, shape, hashlib.sha256(a.tobytes()).hexdigest()]

        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat> Formats => new() { DiskFormat.Npy, DiskFormat.Npz };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Flush_EveryDTypeAndShape_LoadsInNumpyWithSameValues(DiskFormat format)
    {
        var expected = new Dictionary<string, NdArray>();
        foreach (var dtype in DTypes.All)
        {
            expected[$"{dtype.Name()}/vector"] = TestArrays.Sequence(dtype, 7);
            expected[$"{dtype.Name()}/frames"] = TestArrays.Sequence(dtype, 5, 4, 3);
            expected[$"{dtype.Name()}/empty"] = TestArrays.Sequence(dtype, 0, 3);
            expected[$"{dtype.Name()}/scalar"] = TestArrays.Sequence(dtype);
        }

        using (var store = new ArrayStore(_temp.Path, "w", format))
        {
            foreach (var (path, array) in expected)
            {
                store.Write(path, array);
            }
        }

        AssertNumpyLoads(format, expected);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Flush_AppendsAcrossFlushesAndViewWrite_LoadInNumpy(DiskFormat format)
    {
        var whole = TestArrays.Sequence(DType.Float32, 40, 10, 3);
        using (var store = new ArrayStore(_temp.Path, "w", format))
        {
            for (var part = 0; part < 4; part++)
            {
                store.Append("run/coordinates", TestArrays.Rows(whole, part * 10, part * 10 + 10));
                store.Flush();
            }

            // A write reaching into flushed rows: the file is rewritten whole.
            var patch = NdArray.From(Enumerable.Repeat(9.5f, 6).ToArray(), 2, 3);
            store.Write("run/coordinates", patch, ArrayView.Parse("[3, 35], 0"));
            foreach (var row in new[] { 3, 35 })
            {
                whole.AsSpan<float>().Slice(row * 30, 3).Fill(9.5f);
            }
        }

        AssertNumpyLoads(format, new Dictionary<string, NdArray> { ["run/coordinates"] = whole });
        if (format == DiskFormat.Npy)
        {
            var mapped = Numpy.Run(Describe + "print(json.dumps(describe(np.load(sys.argv[1], mmap_mode='r'))))", _temp.Sub("run/coordinates.npy"));
            Assert.Equal(Digest(whole), JsonSerializer.Deserialize<JsonElement>(mapped)[2].GetString());
        }
    }

    [Fact]
    public void Append_ToNumpyWrittenBigEndianFortranFile_RewritesAFileNumpyLoads()
    {
        Directory.CreateDirectory(_temp.Path);
        var fixture = Path.Combine(AppContext.BaseDirectory, "data", "numpy", "int16_be_fortran_3d.npy");
        File.Copy(fixture, _temp.Sub("x.npy"));
        var extra = TestArrays.Sequence(DType.Int16, 1, 2, 4);
        using (var store = new ArrayStore(_temp.Path, "r+", DiskFormat.Npy))
        {
            store.Append("x", extra);
        }

        var expected = NdArray.FromBytes(DType.Int16, [4, 2, 4], [.. TestArrays.Sequence(DType.Int16, 3, 2, 4).Bytes.ToArray(), .. extra.Bytes.ToArray()]);
        AssertNumpyLoads(DiskFormat.Npy, new Dictionary<string, NdArray> { ["x"] = expected });
    }

    private void AssertNumpyLoads(DiskFormat format, IReadOnlyDictionary<string, NdArray> expected)
    {
        var script = Describe + (format == DiskFormat.Npy
            ? "print(json.dumps({k: describe(np.load(sys.argv[1] + '/' + k + '.npy')) for k in sys.argv[2:]}))"
            : "z = np.load(sys.argv[1] + '/store.npz')\nprint(json.dumps({k: describe(z[k]) for k in sys.argv[2:]}))");
        var loaded = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Numpy.Run(script, [_temp.Path, .. expected.Keys]))!;
        foreach (var (path, array) in expected)
        {
            var (descr, shape, digest) = (loaded[path][0].GetString(), loaded[path][1].EnumerateArray().Select(d => d.GetInt64()).ToArray(), loaded[path][2].GetString());
            Assert.Equal(array.DType.NumpyDescriptor(), descr);
            Assert.Equal(array.Shape.ToArray(), shape);
            Assert.True(Digest(array) == digest, $"{path}: numpy sees other values");
        }
    }

    private static string Digest(NdArray array) => Convert.ToHexStringLower(SHA256.HashData(array.Bytes));
}
