using System.Text.Json;
using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>
/// <c>.npz</c> archives whose members numpy saved in Fortran order (any F-contiguous array) read in
/// C order, equal to what numpy itself reads, stored and compressed, little- and big-endian
/// (issue 13, item 9); appending to one and flushing gives an archive numpy reads.
/// </summary>
public class NpzFortranOrderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // Writes store.npz with Fortran-order members (2-D int32, 3-D big-endian float64, 3-D uint8)
    // and a C-order one, and prints each member's shape and C-order little-endian values as numpy reads them.
    private const string MakeArchive =
        """
        members = {
            "f/int32_2d": np.asfortranarray(np.arange(15, dtype="<i4").reshape(3, 5) * 7 - 20),
            "f/float64_be_3d": np.asfortranarray((np.arange(24, dtype=">f8").reshape(2, 3, 4) - 5.5) / 4),
            "f/uint8_3d": np.asfortranarray(np.arange(30, dtype="u1").reshape(5, 3, 2)),
            "c/int16": np.arange(6, dtype="<i2").reshape(2, 3),
        }
        assert all(np.isfortran(v) for k, v in members.items() if k.startswith("f/"))
        save = np.savez_compressed if sys.argv[2] == "compressed" else np.savez
        save(sys.argv[1] + "/store.npz", **members)
        with np.load(sys.argv[1] + "/store.npz") as z:
            print(json.dumps({k: {"shape": list(z[k].shape), "values": z[k].ravel(order="C").tolist()} for k in z.files}))
        """;

    [Theory]
    [InlineData("stored")]
    [InlineData("compressed")]
    public void Read_FortranOrderMembers_EqualNumpysCOrderValues(string kind)
    {
        Directory.CreateDirectory(_temp.Path);
        var expected = JsonDocument.Parse(Numpy.Run(MakeArchive, _temp.Path, kind)).RootElement;

        using var store = new ArrayStore(_temp.Path, "r", DiskFormat.Npz);
        foreach (var member in expected.EnumerateObject())
        {
            var read = store.Read(member.Name)!;
            Assert.Equal(member.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), read.Shape.ToArray());
            var values = member.Value.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(values, Doubles(read));
            var lastRow = store.Get(member.Name)!.Read(ArrayView.Parse("-1"));
            Assert.Equal(values[^(values.Length / (int)read.Shape[0])..], Doubles(lastRow));
        }
    }

    [Fact]
    public void Append_ToFortranOrderMember_NumpyReadsTheGrownArray()
    {
        Directory.CreateDirectory(_temp.Path);
        var before = JsonDocument.Parse(Numpy.Run(MakeArchive, _temp.Path, "stored")).RootElement;
        using (var store = new ArrayStore(_temp.Path, "r+", DiskFormat.Npz))
        {
            store.Append("f/int32_2d", NdArray.From<int>([1, 2, 3, 4, 5], [1, 5]));
            store.Flush();
        }

        var after = JsonDocument.Parse(Numpy.Run(
            """
            with np.load(sys.argv[1] + "/store.npz") as z:
                v = z["f/int32_2d"]
                print(json.dumps({"shape": list(v.shape), "values": v.ravel(order="C").tolist()}))
            """, _temp.Path)).RootElement;
        Assert.Equal([4L, 5L], after.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        var old = before.GetProperty("f/int32_2d").GetProperty("values").EnumerateArray().Select(e => e.GetInt32());
        Assert.Equal([.. old, 1, 2, 3, 4, 5], after.GetProperty("values").EnumerateArray().Select(e => e.GetInt32()));
    }

    private static double[] Doubles(NdArray array) => array.DType switch
    {
        DType.Int32 => [.. array.AsSpan<int>().ToArray().Select(v => (double)v)],
        DType.Int16 => [.. array.AsSpan<short>().ToArray().Select(v => (double)v)],
        DType.UInt8 => [.. array.AsSpan<byte>().ToArray().Select(v => (double)v)],
        DType.Float64 => array.AsSpan<double>().ToArray(),
        _ => throw new InvalidOperationException(array.DType.ToString()),
    };
}
