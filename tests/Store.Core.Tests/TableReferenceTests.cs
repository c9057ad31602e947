using Store.Core.Tables;
using static Store.Core.Tests.TableStoreTests;

namespace Store.Core.Tests;

public class TableReferenceTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Trait("TimeZone", "any")]
    [Theory]
    [MemberData(nameof(TableStoreTests.Formats), MemberType = typeof(TableStoreTests))]
    public void Get_ReadsRowsAndColumnsAcrossFlushedAndNewRows(DiskFormat format)
    {
        var root = format == DiskFormat.None ? "" : _temp.Path;
        var store = new TableStore(root, "w", format);
        for (var flush = 0; flush < 3; flush++)
        {
            store.Append("e", TestTables.AllTypes(flush * 4, 4));
            store.Flush();
        }

        if (format != DiskFormat.None)
        {
            store.Dispose();
            store = new TableStore(root, "a", format);
        }

        using (store)
        {
            AssertReadsThrough(store);
        }
    }

    [Fact]
    public void Get_IsLive_SeesRowsAppendedAfterIt()
    {
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        store.Append("e", TestTables.AllTypes(0, 4));
        store.Flush();
        var reference = store.Get("e")!;
        Assert.Equal(4, reference.RowCount);

        store.Append("e", TestTables.AllTypes(4, 2));
        Assert.Equal(6, reference.RowCount);
        AssertSameRows(TestTables.AllTypes(0, 6), reference.Read());
        store.Flush();
        AssertSameRows(TestTables.AllTypes(3, 3), reference.Read(TableView.Rows(3, 6)));
    }

    [Trait("TimeZone", "any")]
    [Fact]
    public void Get_FlushedParquet_DecodesOnlyTheRowGroupsAReadCovers()
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            for (var flush = 0; flush < 3; flush++)
            {
                store.Append("e", TestTables.AllTypes(flush * 4, 4));
                store.Flush();
            }
        }

        // Garble the first part's row group data (it starts right after the 4-byte "PAR1" magic); the footer stays intact.
        var file = _temp.Sub("e.parquet/part-000000.parquet");
        using (var stream = File.OpenWrite(file))
        {
            stream.Position = 4;
            stream.Write(Enumerable.Repeat((byte)0xEE, 24).ToArray());
        }

        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        var reference = reopened.Get("e")!;
        Assert.Equal(12, reference.RowCount);
        AssertSameRows(TestTables.AllTypes(4, 8), reference.Read(TableView.Rows(4, 12)));
        var error = Assert.Throws<CorruptDataException>(() => reference.Read(TableView.Rows(2, 6)));
        Assert.Contains(file, error.Message);
        AssertSameRows(TestTables.AllTypes(8, 2), reference.Read(TableView.Rows(8, 10)));
    }

    [Fact]
    public void Get_BadViews_AreSchemaErrors()
    {
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        store.Append("e", TestTables.AllTypes(0, 4));
        store.Flush();
        var reference = store.Get("e")!;
        Assert.Throws<SchemaException>(() => reference.Column("nope"));
        Assert.Throws<SchemaException>(() => reference.Read(TableView.Rows(2, 5)));
        Assert.Null(store.Get("missing"));
    }

    private static void AssertReadsThrough(TableStore store)
    {
        store.Append("e", TestTables.AllTypes(12, 3));
        var reference = store.Get("e")!;
        Assert.Equal("e", reference.Path);
        Assert.Equal(15, reference.RowCount);
        Assert.Equal(TestTables.AllTypes(0, 1).ColumnNames, reference.ColumnNames);
        AssertSameRows(TestTables.AllTypes(0, 15), reference.Read());
        AssertSameRows(TestTables.AllTypes(2, 12), reference.Read(TableView.Rows(2, 14)));
        AssertSameRows(TestTables.AllTypes(13, 2), reference.Read(TableView.Rows(13, 15)));
        AssertSameRows(TestTables.AllTypes(3, 10).Select(["f64", "s"]), reference.Read(new TableView(3, 13, ["f64", "s"])));
        AssertSameRows(TestTables.AllTypes(0, 15).Select(["i64"]), Store.Core.Tables.Table.FromColumns(("i64", reference.Column("i64"))));
    }
}
