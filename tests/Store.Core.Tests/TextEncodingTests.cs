using System.Text;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// CSV and JSON lines files must be UTF-8: one in another encoding is refused naming the file and
/// the byte offset instead of being read with U+FFFD replacement characters (issue 13, item 10);
/// a UTF-8 byte order mark is not part of the first column's name.
/// </summary>
public class TextEncodingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat, string, byte[], int> NotUtf8() => new()
    {
        // format, file name, bytes, offset of the first byte that is no UTF-8
        { DiskFormat.Csv, "latin1.csv", Encoding.Latin1.GetBytes("id,city\n1,Berlin\n2,Zürich\n"), 20 },
        { DiskFormat.Csv, "utf16.csv", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("id\n1\n")], 0 },
        { DiskFormat.Json, "latin1.jsonl", Encoding.Latin1.GetBytes("{\"id\": 1, \"city\": \"Berlin\"}\n{\"id\": 2, \"city\": \"Malmö\"}\n"), 51 },
    };

    [Theory]
    [MemberData(nameof(NotUtf8))]
    public void Read_FileNotInUtf8_RefusedNamingFileAndByteOffset(DiskFormat format, string name, byte[] bytes, int offset)
    {
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub(name);
        File.WriteAllBytes(file, bytes);

        using var store = new TableStore(_temp.Path, "r", format);
        var error = Assert.Throws<CorruptDataException>(() => store.Read(Path.GetFileNameWithoutExtension(name)));
        Assert.Contains(file, error.Message);
        Assert.Contains($"byte offset {offset} ", error.Message);
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void Read_CsvWithUtf8ByteOrderMark_FirstColumnNameWithoutIt()
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllBytes(_temp.Sub("bom.csv"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("id,city\n1,Zürich\n")]);

        using var store = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        var table = store.Read("bom")!;
        Assert.Equal(["id", "city"], table.ColumnNames);
        Assert.Equal(new string?[] { "Zürich" }, table.Strings("city"));
    }
}
