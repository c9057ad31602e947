using Microsoft.Data.Sqlite;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;
using Table = Store.Core.Tables.Table;

namespace Store.Actors.Tests;

/// <summary>
/// A flush of CSV or JSON lines rows cut by a crash after some of its lines reached the file: the
/// reopened journaled store cuts the file back to its committed length and replays every
/// acknowledged append exactly once (the state a SIGKILL mid-flush leaves, rebuilt on disk).
/// </summary>
public class TornTailRecoveryTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private static void BackUpJournal(string journal, string copy)
    {
        using var source = new SqliteConnection($"Data Source={journal}");
        using var target = new SqliteConnection($"Data Source={copy}");
        source.Open();
        source.BackupDatabase(target);
    }

    private static Table Rows(params long[] ids) => Table.FromColumns(("id", TableColumn.Of<long>([.. ids.Select(i => (long?)i)])));

    [Theory]
    [InlineData(DiskFormat.Csv, ".csv", "1\n")]
    [InlineData(DiskFormat.Json, ".jsonl", "{\"id\":1}\n")]
    public async Task Reopen_AfterAFlushCutMidBatch_ReplaysEveryAcknowledgedAppendOnce(DiskFormat format, string extension, string firstLineOfB)
    {
        var options = new ActorStoreOptions { Root = _temp.Path, DiskFormat = format, Durability = Durability.Journal };
        var file = _temp.Sub("t" + extension);
        var journal = _temp.Sub(ActorStoreOptions.DefaultJournalFile);
        var journalAtKill = _temp.Sub("journal-at-kill.db");
        byte[] fileAfterA, sidecarAfterA;
        await using (var store = TableActorStore.Open(options))
        {
            Assert.Equal(new IndexRange(0, 1), await store.AppendAsync("t", Rows(0)));
            await store.FlushAsync();
            (fileAfterA, sidecarAfterA) = (File.ReadAllBytes(file), File.ReadAllBytes(file + ".schema"));
            Assert.Equal(new IndexRange(1, 3), await store.AppendAsync("t", Rows(1, 2, 3)));
            Assert.Equal(new IndexRange(4, 1), await store.AppendAsync("t", Rows(4)));
            BackUpJournal(journal, journalAtKill);
        }

        // The journal as the kill left it: B and C acknowledged, so journaled (a clean close would trim them).
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(journal + suffix);
        }

        File.Copy(journalAtKill, journal);

        // The disk as a kill in the middle of the second flush leaves it: A committed, the first line of B written after it.
        File.WriteAllBytes(file, [.. fileAfterA, .. System.Text.Encoding.UTF8.GetBytes(firstLineOfB)]);
        File.WriteAllBytes(file + ".schema", sidecarAfterA);

        await using (var reopened = TableActorStore.Open(options))
        {
            var table = await reopened.ReadAsync("t").WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(new long?[] { 0, 1, 2, 3, 4 }, table!.Values<long>("id"));
        }

        using var files = new TableStore(_temp.Path, "r", format);
        Assert.Equal(new long?[] { 0, 1, 2, 3, 4 }, files.Read("t")!.Values<long>("id"));
    }
}
