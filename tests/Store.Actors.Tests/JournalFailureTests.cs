using Microsoft.Data.Sqlite;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// A journal that cannot store or replay: callers get a <see cref="JournalException"/> naming the
/// journal at once (never their ask timeout), the refused changes never reach the files, and the
/// store keeps serving once the journal works again.
/// </summary>
public class JournalFailureTests : IDisposable
{
    // Failures must come well before the 60 s ask timeout a hang would end in.
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private string JournalFile => Path.Combine(_temp.Path, ActorStoreOptions.DefaultJournalFile);

    private ActorStoreOptions Durable(DiskFormat format = DiskFormat.Npy) =>
        new() { Root = _temp.Path, DiskFormat = format, Durability = Durability.Journal };

    // What a full disk looks like to the journal: every insert fails with SQLite's own message.
    private void Journal(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={JournalFile}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void FillTheDisk() => Journal("CREATE TRIGGER disk_full BEFORE INSERT ON journal BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;");

    private void FreeTheDisk() => Journal("DROP TRIGGER disk_full;");

    [Fact]
    public async Task Append_JournalCannotStore_FailsAtOnceNamingTheJournal_AndTheChangeNeverReachesTheFiles()
    {
        await using (var store = ArrayActorStore.Open(Durable()))
        {
            await store.AppendAsync("x", NdArray.From(new[] { 1.0 }));
            await store.FlushAsync();
            await store.AppendAsync("x", NdArray.From(new[] { 2.0 }));
            await store.AppendAsync("y", NdArray.From(new[] { 9.0 }));

            FillTheDisk();
            var refused = Enumerable.Range(3, 5).Select(i => store.AppendAsync("x", NdArray.From(new[] { (double)i }), "p", i)).ToList();
            var flush = store.FlushAsync();
            foreach (var append in refused)
            {
                var error = await Assert.ThrowsAsync<JournalException>(() => append.WaitAsync(Soon));
                Assert.Contains(JournalFile, error.Message);
                Assert.Contains("database or disk is full", error.Message);
                Assert.Contains("'x'", error.Message);
            }

            await Assert.ThrowsAnyAsync<StoreException>(() => flush.WaitAsync(Soon));
            Assert.Equal(new[] { 9.0 }, (await store.ReadAsync("y").WaitAsync(Soon))!.ToArray<double>());
            Assert.Equal(new[] { 1.0, 2.0 }, (await store.ReadAsync("x").WaitAsync(Soon))!.ToArray<double>());

            FreeTheDisk();
            Assert.True((await store.FlushAsync().WaitAsync(Soon)).Succeeded);
            using (var files = new ArrayStore(_temp.Path, "r", DiskFormat.Npy))
            {
                Assert.Equal(new[] { 1.0, 2.0 }, files.Read("x")!.ToArray<double>());
            }

            // The producer's refused sequence numbers were never applied: a retry applies them now.
            Assert.Equal(new IndexRange(2, 1), await store.AppendAsync("x", NdArray.From(new[] { 3.0 }), "p", 3).WaitAsync(Soon));
        }

        await using var reopened = ArrayActorStore.Open(Durable());
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, (await reopened.ReadAsync("x"))!.ToArray<double>());
        Assert.Equal(new[] { 9.0 }, (await reopened.ReadAsync("y"))!.ToArray<double>());
    }

    [Fact]
    public async Task Append_WhileTheJournalFails_LaterCommandsAreAnsweredToo_AndServingResumes()
    {
        await using var store = ArrayActorStore.Open(Durable() with { MaxPendingCommands = 100_000 });
        await store.AppendAsync("x", NdArray.From(new[] { 0.0 }));
        FillTheDisk();
        var calls = Enumerable.Range(1, 2000).Select(i => store.AppendAsync("x", NdArray.From(new[] { (double)i }))).ToList();
        var outcomes = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                await call.WaitAsync(Soon);
                return "ok";
            }
            catch (StoreException e)
            {
                return e.GetType().Name;
            }
        }));

        Assert.DoesNotContain("ok", outcomes);
        Assert.Contains(nameof(JournalException), outcomes);
        FreeTheDisk();
        Assert.Equal(new IndexRange(1, 1), await store.AppendAsync("x", NdArray.From(new[] { 1.0 })).WaitAsync(Soon));
        Assert.Equal(new[] { 0.0, 1.0 }, (await store.ReadAsync("x"))!.ToArray<double>());
    }

    [Fact]
    public async Task Recovery_ThatFails_AnswersEveryCommandForThePathAtOnce_AndOtherPathsServe()
    {
        await using (var store = ArrayActorStore.Open(Durable()))
        {
            await store.AppendAsync("x", NdArray.From(new[] { 1.0 }));
            await store.AppendAsync("y", NdArray.From(new[] { 2.0 }));
        }

        // A journaled append not in the files yet, whose payload is then damaged; the path's actor restarts and cannot replay it.
        await using (var store = ArrayActorStore.Open(Durable()))
        {
            await store.AppendAsync("x", NdArray.From(new[] { 3.0 }));
            Journal("UPDATE journal SET message = x'00ff00ff' WHERE persistence_id LIKE '%|x' AND deleted = 0;");
            (await RobustnessTests.FindPathActor(store, "x")).Tell(Akka.Actor.Kill.Instance, Akka.Actor.ActorRefs.NoSender);
            var error = await Assert.ThrowsAsync<JournalException>(() => store.ReadAsync("x").WaitAsync(Soon));
            Assert.Contains("'x'", error.Message);
            Assert.Equal(new[] { 2.0 }, (await store.ReadAsync("y").WaitAsync(Soon))!.ToArray<double>());
        }

        // Opening the store recovers every path: x fails again and every command to it is answered at once.
        await using var reopened = ArrayActorStore.Open(Durable());
        var reads = Enumerable.Range(0, 20).Select(_ => reopened.ReadAsync("x")).ToList();
        foreach (var read in reads)
        {
            var error = await Assert.ThrowsAsync<JournalException>(() => read.WaitAsync(Soon));
            Assert.Contains("'x'", error.Message);
            Assert.Contains(JournalFile, error.Message);
        }

        await Assert.ThrowsAsync<JournalException>(() => reopened.AppendAsync("x", NdArray.From(new[] { 4.0 })).WaitAsync(Soon));
        Assert.Equal(new[] { 2.0 }, (await reopened.ReadAsync("y").WaitAsync(Soon))!.ToArray<double>());
        Assert.Equal(new IndexRange(1, 1), await reopened.AppendAsync("y", NdArray.From(new[] { 5.0 })).WaitAsync(Soon));
    }

    [Fact]
    public void Open_JournalFileThatIsNotADatabase_ThrowsJournalExceptionNamingIt()
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(JournalFile, new string('x', 4096));
        var error = Assert.Throws<JournalException>(() => ArrayActorStore.Open(Durable()));
        Assert.Contains(JournalFile, error.Message);
    }

    [Fact]
    public void Open_JournalPathThatIsAFolder_ThrowsJournalExceptionNamingIt()
    {
        Directory.CreateDirectory(JournalFile);
        var error = Assert.Throws<JournalException>(() => TableActorStore.Open(Durable(DiskFormat.Parquet)));
        Assert.Contains(JournalFile, error.Message);
        Assert.Contains("folder", error.Message);
    }
}
