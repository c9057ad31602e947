using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Interop.Tests;

/// <summary>
/// A Parquet file with a struct, list or map column (as DuckDB writes them) is refused, naming the
/// file, the column and the paths of its leaves, rather than read as flat columns under the leaves'
/// last names (<c>x</c> for <c>point.x</c>).
/// </summary>
public class ParquetNestedColumnTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("{'x': i, 'y': i * 2}", "a struct", "point.x, point.y")]
    [InlineData("[i, i + 1]", "a list", "point.list.element")]
    [InlineData("MAP {'k': i}", "a map", "point.key_value.key, point.key_value.value")]
    [InlineData("{'inner': {'x': i}, 'tags': [i]}", "a struct", "point.inner.x, point.tags.list.element")]
    public void Read_DuckDbNestedColumn_RefusedNamingFileAndPaths(string value, string kind, string leaves)
    {
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("t.parquet");
        Readers.DuckDbWrite($"SELECT i AS id, {value} AS point FROM range(3) r(i)", file, "parquet");

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        var error = Assert.Throws<CorruptDataException>(() => store.Read("t"));

        Assert.Equal($"{file}: column 'point' is {kind} (leaf columns {leaves}); nested columns are not supported: expected flat columns of string, bool, integers, float, double or timestamp.", error.Message);
        Assert.Equal(file, error.EntryPath);
        Assert.Throws<CorruptDataException>(() => store.Get("t")!.Schema);
    }
}
