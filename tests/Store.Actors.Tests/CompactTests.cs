using Microsoft.Data.Sqlite;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// Compaction through the actor store: the flushed parts become one, rows not flushed yet stay
/// buffered, and a journaled store reopened afterwards replays nothing twice. Also the read limit
/// (MaxResultBytes) as the actor store applies it.
/// </summary>
public class CompactTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private static Table Rows(int start, int count) =>
        Table.FromColumns(("micro_id", TableColumn.Of<long>([.. Enumerable.Range(start, count).Select(i => (long)i)])));

    [Theory]
    [InlineData(DiskFormat.Parquet, ".parquet")]
    [InlineData(DiskFormat.Ipc, ".arrow")]
    public async Task CompactAsync_FlushedParts_BecomeOne_AndAJournaledReopenReplaysNothingTwice(DiskFormat format, string extension)
    {
        var options = new ActorStoreOptions { Root = _temp.Path, DiskFormat = format, Durability = Durability.Journal };
        await using (var store = TableActorStore.Open(options))
        {
            for (var flush = 0; flush < 4; flush++)
            {
                await store.AppendAsync("e", Rows(flush * 10, 10));
                await store.FlushAsync();
            }

            await store.AppendAsync("e", Rows(40, 10)); // journaled, not flushed
            Assert.True(await store.CompactAsync("e"));
            Assert.Single(Directory.GetFiles(_temp.Sub("e" + extension)));
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (long?)i), (await store.ReadAsync("e"))!.Values<long>("micro_id"));
            await Assert.ThrowsAsync<EntryNotFoundException>(() => store.CompactAsync("missing"));
        }

        await using var reopened = TableActorStore.Open(options);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long?)i), (await reopened.ReadAsync("e"))!.Values<long>("micro_id"));
    }

    [Fact]
    public async Task QueryAndRead_PastMaxResultBytes_AreRefusedTyped_AndThePathKeepsServing()
    {
        // 8 bytes per row: 1,000 rows are 8,000 bytes, past the 4,096 allowed; 500 fit.
        await using var store = TableActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Parquet, MaxResultBytes = 4_096 });
        await store.AppendAsync("e", Rows(0, 1_000));
        await store.FlushAsync();
        var error = await Assert.ThrowsAsync<ResultTooLargeException>(() => store.QueryAsync("e", filter: "micro_id >= 0"));
        Assert.Contains("MaxResultBytes = 4,096", error.Message);
        await Assert.ThrowsAsync<ResultTooLargeException>(() => store.ReadAsync("e"));
        Assert.Equal(500, (await store.QueryAsync("e", filter: "micro_id < 500"))!.RowCount);
        await store.AppendAsync("e", Rows(1_000, 10));
        Assert.Equal(10, (await store.ReadAsync("e", TableView.Rows(1_000, 1_010)))!.RowCount);
    }
}
