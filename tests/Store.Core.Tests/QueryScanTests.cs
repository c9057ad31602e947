using Store.Core.Formats;
using Store.Core.Tables;
using Store.Core.Tables.Filters;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

/// <summary>
/// Queries scan stored tables piece by piece: Parquet row groups whose statistics rule the filter
/// out are never read (proved by garbling one: a query that skips it succeeds, one that needs it
/// fails naming its file), results equal a full read filtered by hand, and a part with other
/// columns is refused by name.
/// </summary>
public class QueryScanTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // 100 energy rows of one run: micro_id start … start + 99.
    private static Table Energies(string run, long start, int count = 100) => Table.FromColumns(
        ("ens_id", TableColumn.Of([.. Enumerable.Repeat("ens0", count)])),
        ("run_id", TableColumn.Of([.. Enumerable.Repeat(run, count)])),
        ("micro_id", TableColumn.Of<long>([.. Enumerable.Range(0, count).Select(i => start + i)])),
        ("potential", TableColumn.Of<double>([.. Enumerable.Range(0, count).Select(i => ((start + i) * 37 % 101) / 100.0)])));

    // Three parts (run0: micro 0-99, run1: 100-199, run2: 200-299); the middle one's data garbled, its footer intact.
    private string ThreePartsWithTheMiddleGarbled()
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            for (var part = 0; part < 3; part++)
            {
                store.Append("energies", Energies($"run{part}", part * 100));
                store.Flush();
            }
        }

        var middle = _temp.Sub("energies.parquet/part-000001.parquet");
        using (var stream = File.OpenWrite(middle))
        {
            stream.Position = 4; // past the "PAR1" magic: every column chunk up to half the file (the footer is at the end)
            stream.Write(Enumerable.Repeat((byte)0xEE, (int)(stream.Length / 2)).ToArray());
        }

        return middle;
    }

    [Theory]
    [InlineData(null, 50L, null, 1)]
    [InlineData(null, null, "micro_id >= 250", 50)]
    [InlineData(null, null, "micro_id < 100 and potential > 0.5", 49)]
    [InlineData("run2", null, null, 100)]
    [InlineData("run0", null, "potential >= 0.9 or micro_id == 99", 12)]
    [InlineData(null, null, "run_id in ('run0', 'run2') and micro_id != 0", 199)]
    [InlineData(null, null, "micro_id > 1000", 0)]
    public void Query_RowGroupsTheStatisticsRuleOut_AreNeverRead(string? runId, long? microId, string? filter, int expected)
    {
        ThreePartsWithTheMiddleGarbled();
        using var store = new TableStore(_temp.Path, "r", DiskFormat.Parquet);

        var rows = store.Query("energies", runId: runId, microId: microId, filter: filter)!;

        Assert.Equal(expected, rows.RowCount);
        Assert.All(rows.Values<long>("micro_id"), m => Assert.True(m is < 100 or >= 200));
    }

    [Theory]
    [InlineData("run1", null)]
    [InlineData(null, "micro_id == 150")]
    [InlineData(null, "not (micro_id < 100)")]
    [InlineData(null, "potential > 0.5")]
    public void Query_ThatNeedsTheGarbledRowGroup_FailsNamingItsFile_AndOtherQueriesStillServe(string? runId, string? filter)
    {
        var middle = ThreePartsWithTheMiddleGarbled();
        using var store = new TableStore(_temp.Path, "r", DiskFormat.Parquet);

        var error = Assert.Throws<CorruptDataException>(() => store.Query("energies", runId: runId, filter: filter));

        Assert.Contains(middle, error.Message);
        Assert.Equal(100, store.Query("energies", runId: "run2")!.RowCount);
    }

    public static TheoryData<DiskFormat> PartFormats => new() { DiskFormat.Parquet, DiskFormat.Ipc };

    [Theory]
    [MemberData(nameof(PartFormats))]
    public void Query_OverPartsAndUnflushedRows_EqualsAFullReadFilteredByHand(DiskFormat format)
    {
        string[] filters =
        [
            "micro_id >= 150 and micro_id < 420", "potential > 0.7 or run_id == 'run3'", "not (run_id == 'run1')",
            "micro_id in (5, 105, 305, 405)", "s == null", "s != null and potential <= 0.2", "micro_id != 200",
        ];
        using var store = new TableStore(_temp.Path, "w", format);
        for (var part = 0; part < 5; part++)
        {
            var rows = Energies($"run{part}", part * 100);
            var text = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? null : $"t{i}").ToArray();
            store.Append("energies", Table.FromColumns([.. rows.Schema.FieldsList.Select(f => (f.Name, rows.Column(f.Name))), ("s", TableColumn.Of(text))]));
            if (part < 4)
            {
                store.Flush(); // the last part stays in memory
            }
        }

        var all = store.Read("energies")!;
        foreach (var filter in filters)
        {
            var expected = all.Where(FilterEvaluator.Evaluate(FilterParser.Parse(filter), all, "energies"));
            var actual = store.Query("energies", filter: filter)!;
            Assert.Equal(expected.Values<long>("micro_id"), actual.Values<long>("micro_id"));
            Assert.Equal(expected.Strings("s"), actual.Strings("s"));
            Assert.Equal(expected.Strings("ens_id"), actual.Strings("ens_id")); // constant in every part: built from the statistics
            Assert.Equal(expected.Strings("run_id"), actual.Strings("run_id"));
            Assert.Equal(expected.Values<double>("potential"), actual.Values<double>("potential"));
        }
    }

    [Theory]
    [InlineData(DiskFormat.Parquet, "part-000007")]
    [InlineData(DiskFormat.Ipc, "part-000007")]
    [InlineData(DiskFormat.Parquet, "extra")] // sorts before the store's parts: still not the one that decides the columns
    [InlineData(DiskFormat.Ipc, "a")]
    public void Query_PartWithOtherColumnsDroppedIntoTheFolder_IsRefusedNamingIt_AndOtherTablesServe(DiskFormat format, string name)
    {
        var extension = format == DiskFormat.Parquet ? ".parquet" : ".arrow";
        using (var other = new TableStore(_temp.Sub("elsewhere"), "w", format))
        {
            other.Append("t", Table.FromColumns(("x", TableColumn.Of<double>([1.0]))));
        }

        using (var store = new TableStore(_temp.Sub("root"), "w", format))
        {
            store.Append("energies", Energies("run0", 0));
            store.Append("good", Energies("run0", 0));
        }

        var foreign = _temp.Sub("root/energies" + extension + "/" + name + extension);
        File.Copy(_temp.Sub("elsewhere/t" + extension + "/part-000000" + extension), foreign);

        using var reopened = new TableStore(_temp.Sub("root"), "r", format);
        var error = Assert.Throws<CorruptDataException>(() => reopened.Query("energies", runId: "run0"));
        Assert.Contains(foreign, error.Message);
        Assert.Contains("(x: ", error.Message); // what it holds
        Assert.Contains("micro_id", error.Message); // and what the table holds
        Assert.Contains(foreign, Assert.Throws<CorruptDataException>(() => reopened.Read("energies")).Message);
        Assert.Equal(100, reopened.Query("good", runId: "run0")!.RowCount);
        Assert.Equal(["ens_id", "run_id", "micro_id", "potential"], reopened.Get("energies")!.ColumnNames); // the columns are the store's parts'
    }

    [Theory]
    [InlineData("potential >= 0")] // every row of every part
    [InlineData("run_id != 'none' and micro_id >= 0")]
    [InlineData("micro_id < 250")] // parts 0 and 1 whole, part 2 in half
    public void Query_WholePartsMatching_KeepTheirValuesWhileLaterPartsAreDecoded(string filter)
    {
        // The filter's columns are decoded into arrays the scan reuses for the next part: what a
        // query keeps of them must be copied out, also when every row of a part matches.
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            for (var part = 0; part < 4; part++)
            {
                store.Append("energies", Energies($"run{part}", part * 100));
                store.Flush();
            }
        }

        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        var all = reopened.Read("energies")!;
        var expected = all.Where(FilterEvaluator.Evaluate(FilterParser.Parse(filter), all, "energies"));
        var actual = reopened.Query("energies", filter: filter)!;
        Assert.True(actual.RowCount >= 250);
        Assert.Equal(expected.Values<long>("micro_id"), actual.Values<long>("micro_id"));
        Assert.Equal(expected.Values<double>("potential"), actual.Values<double>("potential"));
        Assert.Equal(expected.Strings("run_id"), actual.Strings("run_id"));
    }

    [Fact]
    public void Query_FilterWithSeveralMistakes_ReportsTheFirstInTheFiltersOrder()
    {
        // Cheap terms are tested first over rows, but errors are found before that, left to right.
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            store.Append("energies", Energies("run0", 0));
            store.Flush();
        }

        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        var first = Assert.Throws<FilterException>(() => reopened.Query("energies", filter: "run_id > 3 and potential > 'high'"));
        Assert.Contains("'run_id'", first.Message);
        var unknown = Assert.Throws<FilterException>(() => reopened.Query("energies", filter: "run_id == 'run0' and nosuch > 1 and potential > 'x'"));
        Assert.Contains("no column 'nosuch'", unknown.Message);
    }

    [Theory]
    [InlineData(DiskFormat.Parquet)]
    [InlineData(DiskFormat.Ipc)]
    [InlineData(DiskFormat.None)]
    public void Columns_WhoseNamesDifferOnlyInUnicodeForm_AreTwoColumns(DiskFormat format)
    {
        // "café" precomposed and decomposed compare equal by culture; the store matches names exactly.
        const string composed = "caf\u00e9", decomposed = "cafe\u0301";
        using var store = new TableStore(format == DiskFormat.None ? "" : _temp.Path, "w", format);
        store.Append("t", Table.FromColumns((composed, TableColumn.Of<long>([1, 2, 3])), (decomposed, TableColumn.Of<long>([10, 20, 30]))));
        store.Flush();
        Assert.Equal([10L, 20L, 30L], ((Apache.Arrow.Int64Array)store.ReadColumn("t", decomposed)!).Values.ToArray());
        Assert.Equal([1L, 2L, 3L], store.Read("t", TableView.Select(composed))!.Values<long>(composed));
        var matched = store.Query("t", filter: $"`{decomposed}` > 25")!;
        Assert.Equal([30L], matched.Values<long>(decomposed));
        Assert.Equal([3L], matched.Values<long>(composed));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(5000)]
    public async Task Read_StringsAndDoublesTheStoreDecodesItself_EqualWhatWasWritten(int distinct)
    {
        // Nulls, empty strings, multi-byte UTF-8 and repeats, over several pages' worth of rows.
        var values = Enumerable.Range(0, 20_000).Select(i => i % 7 == 3 ? null : (i % distinct) switch
        {
            0 => "",
            1 => "ré·名🙂",
            var k => $"run{k}",
        }).ToArray();
        var doubles = Enumerable.Range(0, 20_000).Select(i => i % 11 == 5 ? (double?)null : i % distinct * 0.25).ToArray();
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            store.Append("t", Table.FromColumns(("s", TableColumn.Of(values)), ("d", TableColumn.Of<double>(doubles))));
            store.Append("t", Table.FromColumns(("s", TableColumn.Of(values)), ("d", TableColumn.Of<double>(doubles))));
            store.Flush();
        }

        await using (var stream = File.OpenRead(_temp.Sub("t.parquet/part-000000.parquet")))
        {
            await using var reader = await global::Parquet.ParquetReader.CreateAsync(stream);
            using var group = reader.OpenRowGroupReader(0);
            // PLAIN pages, which the store reads itself (StringColumnChunkReader, IntColumnChunkReader).
            Assert.Contains(global::Parquet.Meta.Encoding.PLAIN, group.GetMetadata(reader.Schema.GetDataFields()[0])!.MetaData!.Encodings);
        }

        using var reopened = new TableStore(_temp.Path, "r", DiskFormat.Parquet);
        var read = reopened.Read("t")!;
        Assert.Equal(values.Concat(values), read.Strings("s"));
        Assert.Equal(doubles.Concat(doubles), read.Values<double>("d"));
        Assert.Equal(values.Count(v => v == "ré·名🙂") * 2, reopened.Query("t", filter: "s == 'ré·名🙂'")!.RowCount);
    }

    [Fact]
    public void MayMatch_FollowsTheEvaluatorsRules_AndNeverPrunesWhatItCannotDecide()
    {
        static ColumnRange Longs(long min, long max, long nulls = 0) => new(min, max, nulls, 10);
        static bool May(string filter, ColumnRange? range) => FilterPruning.MayMatch(FilterParser.Parse(filter), _ => range);

        Assert.True(May("x == 5", Longs(5, 9)));
        Assert.False(May("x == 4", Longs(5, 9)));
        Assert.False(May("x > 9", Longs(5, 9)));
        Assert.True(May("x >= 9", Longs(5, 9)));
        Assert.False(May("x < 5", Longs(5, 9)));
        Assert.True(May("x <= 5", Longs(5, 9)));
        Assert.False(May("x != 5", Longs(5, 5)));
        Assert.True(May("x != 5", Longs(5, 6)));
        Assert.True(May("x in (1, 7)", Longs(5, 9)));
        Assert.False(May("x in (1, 17)", Longs(5, 9)));
        Assert.False(May("x > 9 and x < 100", Longs(5, 9)));
        Assert.True(May("x > 9 or x < 6", Longs(5, 9)));
        Assert.True(May("not (x == 4)", Longs(5, 9)));        // never pruned under not
        Assert.True(May("x == 4", null));                      // no statistics
        Assert.True(May("x == null", Longs(5, 9)));            // nulls are not in min/max
        Assert.False(May("x == 5", new ColumnRange(null, null, 10, 10))); // all null: no comparison holds
        Assert.True(May("x != 0.5", new ColumnRange(0.5, 0.5, 0, 10)));   // NaN is left out of float statistics
        Assert.False(May("x == 0.5", new ColumnRange(0.6, 0.9, 0, 10)));
        Assert.False(May("s == 'run3'", new ColumnRange("run0", "run2", 0, 10)));
        Assert.True(May("s == 'run3'", new ColumnRange("run0", "run7", 0, 10)));
        Assert.True(May("s == 'x'", new ColumnRange(null, "run7", 0, 10)));  // a bound missing
        Assert.True(May("x == 9007199254740993", Longs(0, 9)));               // beyond exact doubles
        Assert.True(May("s > 5", new ColumnRange("a", "b", 0, 10)));           // mismatched types: the evaluator decides

        // A chain longer than the stack could take by recursion.
        var chain = string.Join(" and ", Enumerable.Range(0, 4000).Select(i => $"x != {i + 100}"));
        Assert.True(May(chain, Longs(5, 9)));
    }
}
