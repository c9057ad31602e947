using System.Text.Json;
using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>Files written by numpy (tests/fixtures/make_npy_fixtures.py) read back equal to the same formula computed here.</summary>
public class NumpyFixtureTests : IDisposable
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data", "numpy");
    private static readonly JsonElement Manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Data, "manifest.json"))).RootElement;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> ArrayFiles() => [.. Manifest.GetProperty("arrays").EnumerateArray().Select(a => a.GetProperty("file").GetString()!)];

    public static TheoryData<string> CorruptFiles() => [.. Manifest.GetProperty("corrupt").EnumerateArray().Select(a => a.GetString()!)];

    [Theory]
    [MemberData(nameof(ArrayFiles))]
    public void Read_NumpyWrittenNpy_EqualsExpectedValues(string file)
    {
        var spec = Manifest.GetProperty("arrays").EnumerateArray().Single(a => a.GetProperty("file").GetString() == file);
        var expected = TestArrays.Sequence(ParseDType(spec.GetProperty("dtype").GetString()!), Shape(spec));
        Directory.CreateDirectory(_temp.Sub("sub"));
        File.Copy(Path.Combine(Data, file), _temp.Sub("sub/" + file));

        using var store = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        var entry = "sub/" + Path.GetFileNameWithoutExtension(file);
        Assert.Equal([entry], store.Available());
        var actual = store.Read(entry)!;
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.True(expected.Bytes.SequenceEqual(actual.Bytes), "values differ");

        if (expected.Rank > 0 && expected.Shape[0] > 0)
        {
            var view = ArrayView.Parse("-1");
            Assert.True(store.Get(entry)!.Read(view).Bytes.SequenceEqual(store.Read(entry, view)!.Bytes));
        }
    }

    [Theory]
    [InlineData("npz_savez")]
    [InlineData("npz_compressed")]
    public void Read_NumpyWrittenNpz_EqualsExpectedValues(string folder)
    {
        CopyFolder(Path.Combine(Data, folder), _temp.Path);
        using var store = new ArrayStore(_temp.Path, "r", DiskFormat.Npz);
        var members = Manifest.GetProperty("npz").EnumerateArray().ToList();
        Assert.Equal(members.Select(m => m.GetProperty("name").GetString()!).Order(StringComparer.Ordinal), store.Available());
        foreach (var member in members)
        {
            var expected = TestArrays.Sequence(ParseDType(member.GetProperty("dtype").GetString()!), Shape(member));
            var actual = store.Read(member.GetProperty("name").GetString()!)!;
            Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
            Assert.True(expected.Bytes.SequenceEqual(actual.Bytes), $"values of {member} differ");
        }
    }

    [Theory]
    [InlineData("npz_savez")]
    [InlineData("npz_compressed")]
    public void Append_NumpyWrittenNpz_KeepsOtherMembersIntact(string folder)
    {
        CopyFolder(Path.Combine(Data, folder), _temp.Path);
        using (var store = new ArrayStore(_temp.Path, "r+", DiskFormat.Npz))
        {
            store.Append("energies", NdArray.From(new[] { 42.0 }));
        }

        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Npz);
        Assert.Equal(42.0, reopened.Read("energies")!.GetValue<double>(5));
        Assert.True(TestArrays.Sequence(DType.Float32, 5, 4, 3).Bytes.SequenceEqual(reopened.Read("prj/ens1/coords")!.Bytes));
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Read_CorruptNpy_ThrowsNamingTheFileAndServesOthers(string file)
    {
        Directory.CreateDirectory(_temp.Path);
        File.Copy(Path.Combine(Data, "corrupt", file), _temp.Sub(file));
        File.Copy(Path.Combine(Data, "int32_1d.npy"), _temp.Sub("good.npy"));
        var broken = Path.GetFileNameWithoutExtension(file);

        using var store = new ArrayStore(_temp.Path, "r+", DiskFormat.Npy);
        Assert.Equal(new[] { broken, "good" }.Order(StringComparer.Ordinal), store.Available());
        var error = Assert.Throws<CorruptDataException>(() => store.Read(broken));
        Assert.Contains(file, error.Message);
        Assert.Throws<CorruptDataException>(() => store.Append(broken, NdArray.From(new double[2], 1, 2)));
        Assert.True(TestArrays.Sequence(DType.Int32, 11).Bytes.SequenceEqual(store.Read("good")!.Bytes));

        store.Append("good", NdArray.From(new[] { 7 }));
        store.Flush();
        Assert.Equal(12, store.Shape("good")![0]);
        Assert.True(File.Exists(_temp.Sub(file)), "an unreadable file is never deleted");
    }

    private static DType ParseDType(string name) => DTypes.All.Single(d => d.Name() == name);

    private static long[] Shape(JsonElement spec) => [.. spec.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
