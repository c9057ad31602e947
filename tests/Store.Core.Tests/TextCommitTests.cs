using System.Text;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

/// <summary>
/// CSV and JSON lines tables commit through the sidecar beside the file (column types, committed
/// length, a pending whole-file write): the disk states a crash can leave at each step read as the
/// old table or the new one, and files other tools wrote are read whole.
/// </summary>
public class TextCommitTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat> TextFormats => new() { DiskFormat.Csv, DiskFormat.Json };

    private static string Extension(DiskFormat format) => format == DiskFormat.Csv ? ".csv" : ".jsonl";

    private static Table Ids(int start, int count) => Table.FromColumns(
        ("id", TableColumn.Of<int>([.. Enumerable.Range(start, count).Select(i => (int?)i)])),
        ("name", TableColumn.Of([.. Enumerable.Range(start, count).Select(i => (string?)$"n{i}")])));

    private static int?[] IdsOf(Table table) => table.Values<int>("id");

    /// <summary>The sidecar JSON with its pending file set, as the commit of a whole-file write leaves it.</summary>
    private static string WithPending(string sidecar, string pending)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(sidecar)!;
        node["pending"] = pending;
        return node.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Reopen_AppendCutAfterItsFirstLine_ReadsTheCommittedRowsAndCutsTheTail(DiskFormat format)
    {
        var file = _temp.Sub("t" + Extension(format));
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Append("t", Ids(0, 1));
        }

        var committed = new FileInfo(file).Length;
        // What a kill in the middle of the next flush leaves: the first of its three lines, complete.
        File.AppendAllText(file, format == DiskFormat.Csv ? "1,n1\n" : "{\"id\":1,\"name\":\"n1\"}\n");

        using (var readOnly = new TableStore(_temp.Path, "r", format))
        {
            Assert.Equal([0], IdsOf(readOnly.Read("t")!));
        }

        Assert.True(new FileInfo(file).Length > committed, "a read-only open must not change the file");
        using (var store = new TableStore(_temp.Path, "r+", format))
        {
            Assert.Equal(committed, new FileInfo(file).Length);
            Assert.Equal(1, store.Read("t")!.RowCount);
            Assert.Equal(new IndexRange(1, 3), store.Append("t", Ids(1, 3)));
        }

        using var reopened = new TableStore(_temp.Path, "r", format);
        Assert.Equal([0, 1, 2, 3], IdsOf(reopened.Read("t")!));
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Reopen_WriteCommittedButNotRenamed_ReadsTheNewTableAndFinishesTheRename(DiskFormat format)
    {
        var file = _temp.Sub("t" + Extension(format));
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Write("t", Ids(0, 2));
        }

        // The state between the sidecar's commit and the rename: the new table in a temporary file the sidecar names.
        using (var store = new TableStore(_temp.Sub("scratch"), "w", format))
        {
            store.Write("t", Ids(10, 3));
        }

        var pending = $".t{Extension(format)}.0123456789abcdef0123456789abcdef.tmp";
        var scratch = _temp.Sub("scratch/t" + Extension(format));
        File.Copy(scratch, _temp.Sub(pending));
        File.WriteAllText(file + ".schema", WithPending(File.ReadAllText(scratch + ".schema"), pending));

        using (var readOnly = new TableStore(_temp.Path, "r", format))
        {
            Assert.Equal([10, 11, 12], IdsOf(readOnly.Read("t")!));
        }

        using (var store = new TableStore(_temp.Path, "r+", format))
        {
            Assert.False(File.Exists(_temp.Sub(pending)));
            Assert.Equal(File.ReadAllBytes(scratch), File.ReadAllBytes(file));
            store.Append("t", Ids(13, 1));
        }

        using var reopened = new TableStore(_temp.Path, "r", format);
        Assert.Equal([10, 11, 12, 13], IdsOf(reopened.Read("t")!));
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Reopen_FirstFlushCutBeforeItsCommit_HasNoTableAndRemovesTheTemporaryFile(DiskFormat format)
    {
        Directory.CreateDirectory(_temp.Path);
        var temp = _temp.Sub($".t{Extension(format)}.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(temp, format == DiskFormat.Csv ? "id,name\n1,a\n" : "{\"id\":1,\"name\":\"a\"}\n");

        using (var readOnly = new TableStore(_temp.Path, "r", format))
        {
            Assert.Empty(readOnly.Available());
        }

        using var store = new TableStore(_temp.Path, "r+", format);
        Assert.Empty(store.Available());
        Assert.False(File.Exists(temp));
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Reopen_FirstFlushCommittedButNotRenamed_FindsTheTable(DiskFormat format)
    {
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Write("t", Ids(0, 2));
        }

        var file = _temp.Sub("t" + Extension(format));
        var pending = $".t{Extension(format)}.0123456789abcdef0123456789abcdef.tmp";
        File.Move(file, _temp.Sub(pending));
        File.WriteAllText(file + ".schema", WithPending(File.ReadAllText(file + ".schema"), pending));

        using (var readOnly = new TableStore(_temp.Path, "r", format))
        {
            Assert.Equal(["t"], readOnly.Available());
            Assert.Equal([0, 1], IdsOf(readOnly.Read("t")!));
        }

        using var store2 = new TableStore(_temp.Path, "a", format);
        Assert.True(File.Exists(file));
        Assert.Equal([0, 1], IdsOf(store2.Read("t")!));
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Read_GarbageSidecar_ThrowsNamingItAndOtherTablesServe(DiskFormat format)
    {
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Append("bad", Ids(0, 2));
            store.Append("good", Ids(0, 2));
        }

        var sidecar = _temp.Sub("bad" + Extension(format) + ".schema");
        File.WriteAllText(sidecar, "{\"columns\": [[\"id\", \"int32\"");

        using var reopened = new TableStore(_temp.Path, "r+", format);
        var error = Assert.Throws<CorruptDataException>(() => reopened.Read("bad"));
        Assert.Contains(sidecar, error.Message);
        Assert.Throws<CorruptDataException>(() => reopened.Append("bad", Ids(2, 1)));
        Assert.Equal([0, 1], IdsOf(reopened.Read("good")!));
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Read_SidecarWithUnknownType_ThrowsNamingTheTypeAndTheSidecar(DiskFormat format)
    {
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Append("t", Ids(0, 2));
        }

        var sidecar = _temp.Sub("t" + Extension(format) + ".schema");
        File.WriteAllText(sidecar, File.ReadAllText(sidecar).Replace("int32", "int33", StringComparison.Ordinal));
        using var reopened = new TableStore(_temp.Path, "r", format);
        var error = Assert.Throws<CorruptDataException>(() => reopened.Read("t"));
        Assert.Contains(sidecar, error.Message);
        Assert.Contains("int33", error.Message);
    }

    [Fact]
    public void Read_CsvHeaderOtherThanTheSidecarsColumns_ThrowsNamingBoth()
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Csv))
        {
            store.Append("t", Ids(0, 2));
        }

        var file = _temp.Sub("t.csv");
        var text = File.ReadAllText(file);
        File.WriteAllText(file, "ix," + text[3..]); // same length: "id," becomes "ix,"
        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        var error = Assert.Throws<CorruptDataException>(() => reopened.Read("t"));
        Assert.Contains("(ix, name)", error.Message);
        Assert.Contains("(id, name)", error.Message);
    }

    [Fact]
    public void WriteEmptyTable_JsonLines_ReadsBackItsColumns()
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Json))
        {
            store.Write("t", Ids(0, 0));
        }

        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Json);
        var table = reopened.Read("t")!;
        Assert.Equal(0, table.RowCount);
        Assert.Equal("id: int32, name: utf8", Table.Describe(table.Schema));
    }

    [Theory]
    [InlineData(DiskFormat.Csv, "id,name\n1,a\n2,b", 2)]
    [InlineData(DiskFormat.Csv, "id,name\n1,a", 1)]
    [InlineData(DiskFormat.Csv, "id,name", 0)]
    [InlineData(DiskFormat.Csv, "id,name\n", 0)]
    [InlineData(DiskFormat.Json, "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}", 2)]
    [InlineData(DiskFormat.Json, "{\"id\":1,\"name\":\"a\"}", 1)]
    public void Read_ForeignFileWithoutFinalNewline_ReadsEveryRowAndAppendsAfterIt(DiskFormat format, string content, int rows)
    {
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("x" + Extension(format));
        File.WriteAllText(file, content);
        using (var store = new TableStore(_temp.Path, "r+", format))
        {
            var table = store.Read("x")!;
            Assert.Equal(rows, table.RowCount);
            Assert.Equal(["id", "name"], table.ColumnNames);
            if (rows == 0)
            {
                return;
            }

            store.Append("x", Table.FromColumns(("id", TableColumn.Of<long>([9L])), ("name", TableColumn.Of(["z"]))));
        }

        using var reopened = new TableStore(_temp.Path, "r", format);
        var values = reopened.Read("x")!.Values<long>("id");
        Assert.Equal(rows + 1, values.Length);
        Assert.Equal(9, values[^1]);
        Assert.Equal(Enumerable.Range(1, rows).Select(i => (long?)i), values[..^1]);
    }

    [Theory]
    [InlineData("id,name\n1,a\n2,b,extra\n3,c\n", 3, 3)]
    [InlineData("id,name\n1,a\n2\n", 3, 1)]
    [InlineData("id,name\n1,\"a\nb\"\n2,b,c\n", 4, 3)]
    [InlineData("id,name\n1,a\n2,b,c", 3, 3)]
    public void Read_CsvRowWithOtherFieldCount_ThrowsNamingFileAndLine(string content, int line, int fields)
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub("x.csv"), content);
        using var store = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        var error = Assert.Throws<CorruptDataException>(() => store.Read("x"));
        Assert.Contains(_temp.Sub("x.csv"), error.Message);
        Assert.Contains($"line {line} has {fields} fields; expected 2", error.Message);
    }

    [Fact]
    public void Read_CsvWithUnclosedQuote_ThrowsNamingTheLine()
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub("x.csv"), "id,name\n1,a\n2,\"b\n3,c\n");
        using var store = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        var error = Assert.Throws<CorruptDataException>(() => store.Read("x"));
        Assert.Contains("line 3", error.Message);
        Assert.Contains("never closed", error.Message);
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Reopen_FileShorterThanItsCommittedLength_ThrowsNamingBoth(DiskFormat format)
    {
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Append("t", Ids(0, 3));
        }

        var file = _temp.Sub("t" + Extension(format));
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^3]);
        using var reopened = new TableStore(_temp.Path, "r+", format);
        var error = Assert.Throws<CorruptDataException>(() => reopened.Read("t"));
        Assert.Contains($"holds {bytes.Length - 3} bytes", error.Message);
        Assert.Contains($"records {bytes.Length} committed bytes", error.Message);
        Assert.Equal(bytes.Length - 3, new FileInfo(file).Length);
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Flush_AfterAppends_SidecarRecordsTheFileLength(DiskFormat format)
    {
        using var store = new TableStore(_temp.Path, "w", format);
        var file = _temp.Sub("t" + Extension(format));
        for (var i = 0; i < 3; i++)
        {
            store.Append("t", Ids(i * 2, 2));
            store.Flush();
            var sidecar = Encoding.UTF8.GetString(File.ReadAllBytes(file + ".schema"));
            Assert.Contains($"\"length\":{new FileInfo(file).Length}", sidecar);
        }
    }
}
