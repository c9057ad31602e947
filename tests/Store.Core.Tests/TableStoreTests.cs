using Apache.Arrow;
using Parquet;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

public class TableStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat> Formats => new() { DiskFormat.None, DiskFormat.Parquet, DiskFormat.Ipc, DiskFormat.Csv, DiskFormat.Json };

    public static TheoryData<DiskFormat> DiskFormats => new() { DiskFormat.Parquet, DiskFormat.Ipc, DiskFormat.Csv, DiskFormat.Json };

    public static TheoryData<DiskFormat> TextFormats => new() { DiskFormat.Csv, DiskFormat.Json };

    [Trait("TimeZone", "any")]
    [Theory]
    [MemberData(nameof(Formats))]
    public void AppendFlushReopen_EveryColumnType_ReadsBackEqualWithNulls(DiskFormat format)
    {
        var root = format == DiskFormat.None ? "" : _temp.Path;
        using (var store = new TableStore(root, "w", format))
        {
            Assert.Equal(new IndexRange(0, 10), store.Append("prj/energies", TestTables.AllTypes(0, 10)));
            store.Flush();
            Assert.Equal(new IndexRange(10, 6), store.Append("prj/energies", TestTables.AllTypes(10, 6)));
            store.Flush();
            AssertSameRows(TestTables.AllTypes(0, 16), store.Read("prj/energies")!);
            if (format == DiskFormat.None)
            {
                return;
            }
        }

        using var reopened = new TableStore(_temp.Path, "r", format);
        Assert.Equal(["prj/energies"], reopened.Available());
        AssertSameRows(TestTables.AllTypes(0, 16), reopened.Read("prj/energies")!);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Append_ColumnsInOtherOrder_AreNormalised(DiskFormat format)
    {
        using var store = new TableStore(format == DiskFormat.None ? "" : _temp.Path, "w", format);
        store.Append("t", Table.FromColumns(("a", TableColumn.Of<long>([1L])), ("b", TableColumn.Of(["x"]))));
        store.Append("t", Table.FromColumns(("b", TableColumn.Of(["y"])), ("a", TableColumn.Of<long>([2L]))));
        store.Flush();
        var table = store.Read("t")!;
        Assert.Equal(["a", "b"], table.ColumnNames);
        Assert.Equal([1L, 2L], table.Values<long>("a"));
        Assert.Equal(new string?[] { "x", "y" }, table.Strings("b"));
    }

    [Theory]
    [InlineData("missing column 'b'")]
    [InlineData("extra column 'c'")]
    [InlineData("column 'b' is int32, expected utf8")]
    public void Append_SchemaMismatch_ThrowsNamingTheColumnAndKeepsRows(string problem)
    {
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        store.Append("t", Table.FromColumns(("a", TableColumn.Of<long>([1L])), ("b", TableColumn.Of(["x"]))));
        var bad = problem switch
        {
            "missing column 'b'" => Table.FromColumns(("a", TableColumn.Of<long>([2L]))),
            "extra column 'c'" => Table.FromColumns(("a", TableColumn.Of<long>([2L])), ("b", TableColumn.Of(["y"])), ("c", TableColumn.Of<int>([3])))
                ,
            _ => Table.FromColumns(("a", TableColumn.Of<long>([2L])), ("b", TableColumn.Of<int>([3]))),
        };
        var error = Assert.Throws<SchemaException>(() => store.Append("t", bad));
        Assert.Contains(problem, error.Message);
        Assert.Contains("'t'", error.Message);
        Assert.Equal(1, store.Read("t")!.RowCount);
        store.Flush();
        Assert.Equal(1, store.Read("t")!.RowCount);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void WriteWithView_RowsColumnsAndBoth_ReplaceOnlyThatPart(DiskFormat format)
    {
        using var store = new TableStore(format == DiskFormat.None ? "" : _temp.Path, "w", format);
        store.Append("t", Table.FromColumns(("a", TableColumn.Of<long>([0L, 1, 2, 3])), ("b", TableColumn.Of(["w", "x", "y", "z"]))));
        store.Flush();
        store.Append("t", Table.FromColumns(("a", TableColumn.Of<long>([4L])), ("b", TableColumn.Of(["v"]))));

        store.Write("t", Table.FromColumns(("a", TableColumn.Of<long>([10L, 11])), ("b", TableColumn.Of(["A", "B"]))), TableView.Rows(1, 3));
        store.Write("t", Table.FromColumns(("b", TableColumn.Of(["p", "q", "r", "s", "t"]))), TableView.Select("b"));
        store.Write("t", Table.FromColumns(("a", TableColumn.Of<long>([40L]))), new TableView(4, 5, ["a"]));
        store.Flush();

        var table = format == DiskFormat.None ? store.Read("t")! : new TableStore(_temp.Path, "r", format).Read("t")!;
        Assert.Equal([0L, 10L, 11L, 3L, 40L], table.Values<long>("a"));
        Assert.Equal(new string?[] { "p", "q", "r", "s", "t" }, table.Strings("b"));
    }

    [Fact]
    public void WriteWithView_BadFit_ThrowsAndKeepsTable()
    {
        using var store = TableStore.InMemory();
        store.Write("t", Table.FromColumns(("a", TableColumn.Of<long>([0L, 1, 2]))));
        Assert.Throws<SchemaException>(() => store.Write("t", Table.FromColumns(("a", TableColumn.Of<long>([9L]))), TableView.Rows(0, 2)));
        Assert.Throws<SchemaException>(() => store.Write("t", Table.FromColumns(("a", TableColumn.Of<long>([9L]))), TableView.Rows(2, 5)));
        Assert.Throws<SchemaException>(() => store.Write("t", Table.FromColumns(("a", TableColumn.Of<int>([9]))), TableView.Rows(0, 1)));
        Assert.Throws<EntryNotFoundException>(() => store.Write("nope", Table.FromColumns(("a", TableColumn.Of<long>([9L]))), TableView.Rows(0, 1)));
        Assert.Equal([0L, 1L, 2L], store.Read("t")!.Values<long>("a"));
    }

    [Fact]
    public void ReadWithView_RowsAndColumns_AndReadColumn()
    {
        using var store = TableStore.InMemory();
        store.Append("t", TestTables.AllTypes(0, 5));
        store.Append("t", TestTables.AllTypes(5, 5));
        var view = store.Read("t", new TableView(3, 7, ["i32", "s"]))!;
        Assert.Equal(["i32", "s"], view.ColumnNames);
        Assert.Equal([null, 280_000, 350_000, 420_000], view.Values<int>("i32"));
        Assert.Equal(10, store.ReadColumn("t", "f64")!.Length);
        Assert.Throws<SchemaException>(() => store.Read("t", TableView.Rows(8, 11)));
        Assert.Throws<SchemaException>(() => store.ReadColumn("t", "nope"));
        Assert.Null(store.Read("missing"));
        Assert.Null(store.Get("missing"));
    }

    [Theory]
    [InlineData(long.MaxValue, null)]
    [InlineData(null, long.MaxValue)]
    [InlineData(long.MinValue, 2L)]
    [InlineData(2L, long.MinValue)]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(11L, 11L)]
    [InlineData(3L, 2L)]
    public void ReadAndWriteWithView_RowsOutsideTheTable_ThrowSchemaException(long? start, long? stop)
    {
        using var store = TableStore.InMemory();
        store.Append("t", TestTables.AllTypes(0, 5));
        store.Append("t", TestTables.AllTypes(5, 5));
        var view = new TableView(start, stop);
        Assert.Throws<SchemaException>(() => store.Read("t", view));
        Assert.Throws<SchemaException>(() => store.Get("t")!.Read(view));
        Assert.Throws<SchemaException>(() => store.Write("t", TestTables.AllTypes(0, 1), view));
        Assert.Equal(10, store.Read("t")!.RowCount);
    }

    [Trait("TimeZone", "any")]
    [Fact]
    public async Task Flush_Parquet_AddsOnePartPerFlushAndKeepsEarlierRows()
    {
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        for (var flush = 0; flush < 3; flush++)
        {
            store.Append("e", TestTables.AllTypes(flush * 4, 4));
            store.Flush();
        }

        store.Flush();
        var parts = Directory.GetFiles(_temp.Sub("e.parquet")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["part-000000.parquet", "part-000001.parquet", "part-000002.parquet"], parts);
        await using (var stream = File.OpenRead(_temp.Sub("e.parquet/part-000001.parquet")))
        {
            await using var reader = await ParquetReader.CreateAsync(stream);
            Assert.Equal(1, reader.RowGroupCount);
            Assert.Equal(4, reader.RowGroups[0].RowCount);
        }

        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        AssertSameRows(TestTables.AllTypes(0, 12), reopened.Read("e")!);
    }

    [Fact]
    public async Task Flush_SingleParquetFile_AddsARowGroupUntilCompactedIntoAFolder()
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            store.Append("e", TestTables.AllTypes(0, 4));
        }

        // One Parquet file, as another tool (or an older store) leaves a table.
        File.Move(_temp.Sub("e.parquet/part-000000.parquet"), _temp.Sub("single.parquet"));
        Directory.Delete(_temp.Sub("e.parquet"));
        File.Move(_temp.Sub("single.parquet"), _temp.Sub("e.parquet"));

        using var reopened = new TableStore(_temp.Path, "a", DiskFormat.Parquet);
        reopened.Append("e", TestTables.AllTypes(4, 4));
        reopened.Flush();
        await using (var stream = File.OpenRead(_temp.Sub("e.parquet")))
        {
            await using var reader = await ParquetReader.CreateAsync(stream);
            Assert.Equal(2, reader.RowGroupCount);
        }

        Assert.True(reopened.Compact("e"));
        Assert.Equal(["part-000000.parquet"], Directory.GetFiles(_temp.Sub("e.parquet")).Select(Path.GetFileName));
        Assert.False(reopened.Compact("e"));
        reopened.Append("e", TestTables.AllTypes(8, 4));
        reopened.Flush();
        Assert.Equal(2, Directory.GetFiles(_temp.Sub("e.parquet")).Length);
        AssertSameRows(TestTables.AllTypes(0, 12), reopened.Read("e")!);
    }

    [Theory]
    [InlineData(DiskFormat.Parquet)]
    [InlineData(DiskFormat.Ipc)]
    public void Compact_ManyParts_LeavesOnePartWithEveryRowInOrder(DiskFormat format)
    {
        var extension = format == DiskFormat.Parquet ? ".parquet" : ".arrow";
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            for (var flush = 0; flush < 5; flush++)
            {
                store.Append("e", TestTables.AllTypes(flush * 3, 3));
                store.Flush();
            }

            Assert.Equal(5, Directory.GetFiles(_temp.Sub("e" + extension)).Length);
            store.Append("e", TestTables.AllTypes(15, 3)); // unflushed: stays buffered
            Assert.True(store.Compact("e"));
            Assert.Equal(["part-000000" + extension], Directory.GetFiles(_temp.Sub("e" + extension)).Select(Path.GetFileName));
            AssertSameRows(TestTables.AllTypes(0, 18), store.Read("e")!);
            store.Flush();
            Assert.Equal(["part-000000" + extension, "part-000001" + extension], Directory.GetFiles(_temp.Sub("e" + extension)).Select(Path.GetFileName).Order());
            Assert.DoesNotContain(Directory.GetFileSystemEntries(_temp.Path, ".*", SearchOption.AllDirectories), e => !Path.GetFileName(e).StartsWith(".store", StringComparison.Ordinal)); // no staging folder left
            AssertSameRows(TestTables.AllTypes(0, 18), store.Read("e")!);
        }

        using var reopened = new TableStore(_temp.Path, "r", format);
        AssertSameRows(TestTables.AllTypes(0, 18), reopened.Read("e")!);
        Assert.Throws<StoreModeException>(() => reopened.Compact("e"));
    }

    [Fact]
    public async Task Flush_EveryPartHasOptionalColumns_SoAPartWithNullsAgreesWithOneWithout()
    {
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        store.Append("t", Table.FromColumns(("x", TableColumn.Of<double>([1.0, 2.0])), ("s", TableColumn.Of(["a", "b"]))));
        store.Flush();
        Assert.All((await ParquetReader.ReadSchemaAsync(_temp.Sub("t.parquet/part-000000.parquet"))).DataFields, f => Assert.True(f.IsNullable));

        store.Append("t", Table.FromColumns(("x", TableColumn.Of<double>([3.0, null])), ("s", TableColumn.Of(["c", null]))));
        store.Flush();
        Assert.All((await ParquetReader.ReadSchemaAsync(_temp.Sub("t.parquet/part-000001.parquet"))).DataFields, f => Assert.True(f.IsNullable));
        store.Append("t", Table.FromColumns(("x", TableColumn.Of<double>([5.0])), ("s", TableColumn.Of(["e"]))));
        store.Flush();

        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        Assert.Equal([1.0, 2.0, 3.0, null, 5.0], reopened.Read("t")!.Values<double>("x"));
        Assert.Equal(new string?[] { "a", "b", "c", null, "e" }, reopened.Read("t")!.Strings("s"));
        Assert.Equal([3.0], reopened.Query("t", filter: "x > 2.5 and x < 4")!.Values<double>("x"));
    }

    [Fact]
    public void Flush_UnchangedTables_LeavesTheirFilesAlone()
    {
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        store.Append("a", TestTables.AllTypes(0, 2));
        store.Append("b", TestTables.AllTypes(0, 2));
        store.Flush();
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_temp.Sub("a.parquet/part-000000.parquet"), stamp);
        store.Append("b", TestTables.AllTypes(2, 2));
        store.Flush();
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(_temp.Sub("a.parquet/part-000000.parquet")));
        Assert.Single(Directory.GetFiles(_temp.Sub("a.parquet")));
    }

    [Fact]
    public void Query_KeysAndFilter_ReturnMatchingRows()
    {
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        for (var run = 0; run < 3; run++)
        {
            store.Append("energies", Table.FromColumns(
                ("ens_id", TableColumn.Of([.. Enumerable.Repeat("ens0", 10)])),
                ("run_id", TableColumn.Of([.. Enumerable.Repeat($"run{run}", 10)])),
                ("micro_id", TableColumn.Of<long>([.. Enumerable.Range(0, 10).Select(i => (long?)i)])),
                ("potential", TableColumn.Of<double>([.. Enumerable.Range(0, 10).Select(i => (double?)(i - run))]))));
            store.Flush();
        }

        Assert.Equal(30, store.Query("energies", ensId: "ens0")!.RowCount);
        Assert.Equal(10, store.Query("energies", runId: "run1")!.RowCount);
        var one = store.Query("energies", "ens0", "run2", 7)!;
        Assert.Equal([5.0], one.Values<double>("potential"));
        var filtered = store.Query("energies", runId: "run0", filter: "potential >= 8 or micro_id in (0, 1)")!;
        Assert.Equal([0L, 1L, 8L, 9L], filtered.Values<long>("micro_id"));
        Assert.Equal(0, store.Query("energies", ensId: "nobody")!.RowCount);
        Assert.Throws<FilterException>(() => store.Query("energies", filter: "potential >"));
        Assert.Throws<FilterException>(() => store.Query("energies", filter: "energy > 1"));
        Assert.Null(store.Query("missing"));
    }

    [Trait("TimeZone", "any")]
    [Theory]
    [MemberData(nameof(DiskFormats))]
    public void Reopen_CorruptFile_ThrowsNamingItAndServesOthers(DiskFormat format)
    {
        string file;
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Append("good", TestTables.AllTypes(0, 3));
            store.Append("bad", TestTables.AllTypes(0, 3));
            store.Flush();
        }

        // The table's file, or the part file in its folder (Parquet, IPC).
        file = Directory.GetFiles(_temp.Path, "*", SearchOption.AllDirectories)
            .Single(f => Path.GetRelativePath(_temp.Path, f).StartsWith("bad", StringComparison.Ordinal) && !f.EndsWith(".schema", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(file);
        // Text: the last committed line garbled in place (bytes past the committed length would be a torn tail, cut on open).
        var lastLine = System.Array.LastIndexOf(bytes, (byte)'\n', bytes.Length - 2) + 1;
        File.WriteAllBytes(file, format switch
        {
            DiskFormat.Csv or DiskFormat.Json => [.. bytes[..lastLine], .. System.Text.Encoding.ASCII.GetBytes("{oops".PadRight(bytes.Length - lastLine - 1)), (byte)'\n'],
            _ => bytes[..(bytes.Length / 2)],
        });

        using var reopened = new TableStore(_temp.Path, "r+", format);
        Assert.Equal(["bad", "good"], reopened.Available());
        var error = Assert.Throws<CorruptDataException>(() => reopened.Read("bad"));
        Assert.Contains(Path.GetFileName(file), error.Message);
        Assert.Throws<CorruptDataException>(() => reopened.Append("bad", TestTables.AllTypes(3, 1)));
        AssertSameRows(TestTables.AllTypes(0, 3), reopened.Read("good")!);
        reopened.Append("good", TestTables.AllTypes(3, 1));
        reopened.Flush();
        Assert.Equal(4, reopened.Read("good")!.RowCount);
    }

    [Trait("TimeZone", "any")]
    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Reopen_TextFileCutMidLine_ReadsCompleteRowsAndNextFlushRepairs(DiskFormat format)
    {
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            store.Append("t", TestTables.AllTypes(0, 3));
        }

        var file = Directory.GetFiles(_temp.Path).Single(f => !f.EndsWith(".schema", StringComparison.Ordinal) && !TempFolder.IsStoreFile(f));
        File.AppendAllText(file, format == DiskFormat.Csv ? "row99,true,1" : "{\"s\": \"row99\", \"b\": tr");

        using (var store = new TableStore(_temp.Path, "r+", format))
        {
            AssertSameRows(TestTables.AllTypes(0, 3), store.Read("t")!);
            store.Append("t", TestTables.AllTypes(3, 2));
        }

        using var reopened = new TableStore(_temp.Path, "r", format);
        AssertSameRows(TestTables.AllTypes(0, 5), reopened.Read("t")!);
    }

    [Trait("TimeZone", "any")]
    [Theory]
    [InlineData(DiskFormat.Csv, "id,score,ok,name,at\n1,2.5,true,\"a, b\",2026-01-02 03:04:05\n2,,false,,2026-01-03 00:00:00\n")]
    [InlineData(DiskFormat.Json, "{\"id\": 1, \"score\": 2.5, \"ok\": true, \"name\": \"a, b\", \"at\": \"2026-01-02 03:04:05\"}\n{\"id\": 2, \"score\": null, \"ok\": false, \"name\": null, \"at\": \"2026-01-03 00:00:00\"}\n")]
    public void Read_TextFileWithoutSchema_InfersColumnTypes(DiskFormat format, string content)
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(_temp.Sub(format == DiskFormat.Csv ? "x.csv" : "x.jsonl"), content);
        using var store = new TableStore(_temp.Path, "r", format);
        var table = store.Read("x")!;
        Assert.Equal("id: int64, score: double, ok: bool, name: utf8, at: timestamp[Microsecond, no zone]", Table.Describe(table.Schema));
        Assert.Equal([1L, 2L], table.Values<long>("id"));
        Assert.Equal([2.5, null], table.Values<double>("score"));
        Assert.Equal(new string?[] { "a, b", null }, table.Strings("name"));
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Unspecified), table.Values<DateTime>("at")[0]);
        Assert.Equal(DateTimeKind.Unspecified, table.Values<DateTime>("at")[0]!.Value.Kind); // a wall-clock value, as written
    }

    [Fact]
    public void Operations_ReadOnlyMode_ThrowAndChangeNothing()
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            store.Append("t", TestTables.AllTypes(0, 2));
        }

        using var readOnly = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        Assert.Throws<StoreModeException>(() => readOnly.Append("t", TestTables.AllTypes(2, 1)));
        Assert.Throws<StoreModeException>(() => readOnly.Write("t", TestTables.AllTypes(2, 1)));
        Assert.Throws<StoreModeException>(readOnly.Flush);
        Assert.Equal(2, readOnly.Read("t")!.RowCount);
    }

    internal static void AssertSameRows(Table expected, Table actual)
    {
        Assert.Equal(expected.ColumnNames, actual.ColumnNames);
        Assert.Equal(expected.RowCount, actual.RowCount);
        foreach (var name in expected.ColumnNames)
        {
            var (e, a) = (expected.Column(name), actual.Column(name));
            Assert.True(ArrowColumnsEqual(e, a), $"column {name} differs");
        }
    }

    private static bool ArrowColumnsEqual(IArrowArray expected, IArrowArray actual) =>
        expected.Length == actual.Length && Enumerable.Range(0, expected.Length).All(i => Equals(Value(expected, i), Value(actual, i)));

    private static object? Value(IArrowArray array, int i) => array.IsNull(i) ? null : array switch
    {
        StringArray s => s.GetString(i),
        BooleanArray b => b.GetValue(i),
        TimestampArray t => t.GetTimestamp(i),
        Int8Array a => a.GetValue(i),
        Int16Array a => a.GetValue(i),
        Int32Array a => a.GetValue(i),
        Int64Array a => a.GetValue(i),
        UInt8Array a => a.GetValue(i),
        UInt16Array a => a.GetValue(i),
        UInt32Array a => a.GetValue(i),
        UInt64Array a => a.GetValue(i),
        FloatArray a => a.GetValue(i),
        DoubleArray a => a.GetValue(i),
        _ => throw new InvalidOperationException(array.GetType().Name),
    };
}
