using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// Errors a user can act on: a filter error quotes the filter and points at the part that is wrong
/// (a literal of the wrong type at the literal), an unknown column suggests the nearest column the
/// table has (filters, views, appends, single columns), and a key argument of <c>Query</c> that the
/// table has no column for names that key column.
/// </summary>
public class ActionableErrorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Table Frames(int rows) => Table.FromColumns(
        ("frame", TableColumn.Of<long>([.. Enumerable.Range(0, rows).Select(i => (long?)i)])),
        ("potential", TableColumn.Of<double>([.. Enumerable.Range(0, rows).Select(i => (double?)-i)])),
        ("label", TableColumn.Of([.. Enumerable.Range(0, rows).Select(i => $"f{i}")])));

    private TableStore StoreWithFrames()
    {
        var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        store.Append("frames", Frames(4));
        return store;
    }

    [Theory]
    [InlineData("frame == '2'", 9)]
    [InlineData("label == 'f1' or frame >= 'x'", 26)]
    [InlineData("frame in (1, 'two', 3)", 13)]
    [InlineData("not (potential > null)", 17)]
    public void Query_LiteralOfTheWrongType_QuotesTheFilterAndPointsAtTheLiteral(string filter, int position)
    {
        using var store = StoreWithFrames();

        var error = Assert.Throws<FilterException>(() => store.Query("frames", filter: filter));

        Assert.Equal(position, error.Position);
        Assert.StartsWith($"Filter '{filter}' at position {position}: ", error.Message);
        Assert.Equal("frames", error.EntryPath);
    }

    [Theory]
    [InlineData("potentail < 0", "potentail", "potential")]
    [InlineData("Frame == 2", "Frame", "frame")]
    [InlineData("frame > 1 and lable == 'f2'", "lable", "label")]
    public void Query_MisspelledColumn_QuotesTheFilterAndSuggestsTheNearestColumn(string filter, string misspelled, string nearest)
    {
        using var store = StoreWithFrames();

        var error = Assert.Throws<FilterException>(() => store.Query("frames", filter: filter));

        Assert.Equal(filter.IndexOf(misspelled, StringComparison.Ordinal), error.Position);
        Assert.StartsWith($"Filter '{filter}' at position {error.Position}: no column '{misspelled}'", error.Message);
        Assert.Contains($"did you mean '{nearest}'?", error.Message);
    }

    [Fact]
    public void Query_ColumnFarFromEveryName_QuotesTheFilterAndSuggestsNothing()
    {
        using var store = StoreWithFrames();

        var error = Assert.Throws<FilterException>(() => store.Query("frames", filter: "energy > 1"));

        Assert.StartsWith("Filter 'energy > 1' at position 0: no column 'energy'", error.Message);
        Assert.DoesNotContain("did you mean", error.Message);
        Assert.Contains("(frame: int64, potential: double, label: utf8)", error.Message);
    }

    [Theory]
    [InlineData("ens0", null, null, "ensId 'ens0'", "ens_id")]
    [InlineData(null, "run0", null, "runId 'run0'", "run_id")]
    [InlineData(null, null, 3L, "microId 3", "micro_id")]
    public void Query_KeyWithoutItsColumn_NamesTheMissingKeyColumn(string? ensId, string? runId, long? microId, string argument, string column)
    {
        using var store = StoreWithFrames();

        var error = Assert.Throws<SchemaException>(() => store.Query("frames", ensId, runId, microId));

        Assert.Contains($"by {argument}", error.Message);
        Assert.Contains($"no key column '{column}'", error.Message);
        Assert.Contains("frame: int64", error.Message);
        Assert.Equal("frames", error.EntryPath);
    }

    [Fact]
    public void Query_KeyColumnOfAnotherType_NamesTheColumnAndItsType()
    {
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        store.Append("t", Table.FromColumns(("run_id", TableColumn.Of<long>([1L, 2L]))));

        var error = Assert.Throws<SchemaException>(() => store.Query("t", runId: "run0"));

        Assert.Contains("by runId 'run0'", error.Message);
        Assert.Contains("key column 'run_id' is int64", error.Message);
    }

    [Fact]
    public void Read_ViewWithMisspelledColumn_SuggestsTheNearestColumn()
    {
        using var store = StoreWithFrames();
        store.Flush();

        var error = Assert.Throws<SchemaException>(() => store.Read("frames", TableView.Select("frame", "potental")));

        Assert.Contains("'potental'", error.Message);
        Assert.Contains("did you mean 'potential'?", error.Message);
        Assert.Contains("'frames'", error.Message);
    }

    [Fact]
    public void ReadColumn_MisspelledColumn_SuggestsTheNearestColumn()
    {
        using var store = StoreWithFrames();

        var error = Assert.Throws<SchemaException>(() => store.ReadColumn("frames", "lables"));

        Assert.Contains("did you mean 'label'?", error.Message);
    }

    [Fact]
    public void Write_ViewWithUnknownColumn_ThrowsNamingItAndChangesNothing()
    {
        using var store = StoreWithFrames();
        var rows = Table.FromColumns(("potentail", TableColumn.Of<double>([9.0])));

        var error = Assert.Throws<SchemaException>(() => store.Write("frames", rows, new TableView(1, 2, ["potentail"])));

        Assert.Contains("'potentail'", error.Message);
        Assert.Contains("did you mean 'potential'?", error.Message);
        Assert.Equal([0.0, -1.0, -2.0, -3.0], store.Read("frames")!.Values<double>("potential"));
    }

    [Fact]
    public void Append_MisspelledColumn_SuggestsTheTableColumnItMeant()
    {
        using var store = StoreWithFrames();
        var rows = Table.FromColumns(
            ("frame", TableColumn.Of<long>([4L])),
            ("potantial", TableColumn.Of<double>([-4.0])),
            ("label", TableColumn.Of(["f4"])));

        var error = Assert.Throws<SchemaException>(() => store.Append("frames", rows));

        Assert.Contains("missing column 'potential' (double)", error.Message);
        Assert.Contains("extra column 'potantial' (did you mean 'potential'?)", error.Message);
        Assert.Equal(4, store.Read("frames")!.RowCount);
    }
}
