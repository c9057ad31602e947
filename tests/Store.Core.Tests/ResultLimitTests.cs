using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

/// <summary>
/// <see cref="TableStore.MaxResultBytes"/>: a read or query whose result passes it is refused with
/// <see cref="ResultTooLargeException"/> as soon as the rows read pass it (proved by a garbled part
/// after the limit is reached: the refusal comes before the scan gets there), narrower reads still
/// serve, and the store keeps serving afterwards.
/// </summary>
public class ResultLimitTests : IDisposable
{
    private const int RowsPerPart = 1_000;

    // Each row takes 8 (micro_id) + 8 (potential) + 4 + 4 (run_id's offset and bytes) = 24 bytes:
    // one part 24,000, four parts 96,000; one number column of four parts 32,000.
    private const long Limit = 40_000;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Table Rows(int part) => Table.FromColumns(
        ("run_id", TableColumn.Of([.. Enumerable.Repeat($"run{part}", RowsPerPart)])),
        ("micro_id", TableColumn.Of<long>([.. Enumerable.Range(part * RowsPerPart, RowsPerPart).Select(i => (long)i)])),
        ("potential", TableColumn.Of<double>([.. Enumerable.Range(0, RowsPerPart).Select(i => i / (double)RowsPerPart)])));

    private void Build(DiskFormat format, int parts = 4)
    {
        using var store = new TableStore(_temp.Path, "w", format);
        for (var part = 0; part < parts; part++)
        {
            store.Append("energies", Rows(part));
            store.Flush();
        }
    }

    [Theory]
    [InlineData(DiskFormat.Parquet)]
    [InlineData(DiskFormat.Ipc)]
    [InlineData(DiskFormat.Csv)]
    [InlineData(DiskFormat.Json)]
    public void QueryAndRead_PastTheLimit_AreRefusedNamingTheTable_AndNarrowerOnesServe(DiskFormat format)
    {
        Build(format);
        using var store = new TableStore(_temp.Path, "a", format) { MaxResultBytes = Limit };
        store.Append("energies", Rows(4)); // unflushed rows count too

        var query = Assert.Throws<ResultTooLargeException>(() => store.Query("energies", filter: "potential >= 0"));
        Assert.Contains("'energies'", query.Message);
        Assert.Contains($"MaxResultBytes = {Limit:N0}", query.Message);
        Assert.Equal("energies", query.EntryPath);
        Assert.Throws<ResultTooLargeException>(() => store.Query("energies"));
        Assert.Throws<ResultTooLargeException>(() => store.Read("energies"));
        Assert.Throws<ResultTooLargeException>(() => store.Get("energies")!.Read());
        Assert.Throws<ResultTooLargeException>(() => store.Read("energies", TableView.Rows(0, 2_000)));
        Assert.Throws<ResultTooLargeException>(() => store.Read("energies", TableView.Rows(3_000, 5_000)));

        // Narrower reads serve: one run (also the unflushed one), a filter, a range of rows, one column.
        Assert.Equal(RowsPerPart, store.Query("energies", runId: "run2")!.RowCount);
        Assert.Equal(RowsPerPart, store.Query("energies", runId: "run4", filter: "potential >= 0")!.RowCount);
        Assert.Equal(500, store.Query("energies", filter: "micro_id < 500")!.RowCount);
        Assert.Equal(1_000, store.Read("energies", TableView.Rows(1_500, 2_500))!.RowCount);
        Assert.Equal(Enumerable.Range(0, 4_000).Select(i => (long?)i), store.Read("energies", new TableView(0, 4_000, ["micro_id"]))!.Values<long>("micro_id"));
    }

    [Fact]
    public void Query_PastTheLimit_StopsBeforeReadingFurther()
    {
        Build(DiskFormat.Parquet);
        var last = _temp.Sub("energies.parquet/part-000003.parquet");
        using (var stream = File.OpenWrite(last))
        {
            stream.Position = 4; // the column chunks garbled, the footer intact
            stream.Write(Enumerable.Repeat((byte)0xEE, (int)(stream.Length / 2)).ToArray());
        }

        using (var unlimited = new TableStore(_temp.Path, "r", DiskFormat.Parquet))
        {
            Assert.Contains("part-000003", Assert.Throws<CorruptDataException>(() => unlimited.Query("energies", filter: "potential >= 0")).Message);
        }

        // Parts 0 and 1 already pass the limit: the scan stops there, never reaching the garbled part.
        using var limited = new TableStore(_temp.Path, "r", DiskFormat.Parquet) { MaxResultBytes = Limit };
        Assert.Throws<ResultTooLargeException>(() => limited.Query("energies", filter: "potential >= 0"));
        Assert.Throws<ResultTooLargeException>(() => limited.Read("energies"));
        Assert.Equal(RowsPerPart, limited.Query("energies", runId: "run1")!.RowCount); // and it keeps serving
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void MaxResultBytes_BelowOne_IsRefused(long limit)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TableStore("", "w", DiskFormat.None) { MaxResultBytes = limit });
        Assert.Contains("MaxResultBytes", error.Message);
    }

    [Fact]
    public void MaxResultBytes_ByDefault_IsNoLimit()
    {
        using var store = new TableStore("", "w", DiskFormat.None);
        Assert.Equal(long.MaxValue, store.MaxResultBytes);
    }
}
