using Akka.Actor;
using Microsoft.Data.Sqlite;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// A journaled store opened in a given actor system needs that system to journal on the store's
/// database: one configured otherwise would keep its events in memory and its snapshots in a
/// <c>snapshots</c> folder of the working directory, so the open is refused and nothing is created.
/// </summary>
public class GivenSystemJournalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private ActorStoreOptions Durable(string root) => new() { Root = root, DiskFormat = DiskFormat.Npy, Durability = Durability.Journal };

    [Fact]
    public async Task Open_InASystemWithoutAJournal_IsRefusedNamingWhatItFoundAndExpected()
    {
        var root = _temp.Sub("store");
        using var system = ActorSystem.Create("plain", StoreActorConfig.For(new ActorStoreOptions()));

        var error = Assert.Throws<JournalException>(() => ArrayActorStore.Open(system, Durable(root)));
        Assert.Contains("it configures no journal (Akka.Persistence's default keeps events in memory and snapshots in the working directory)", error.Message);
        Assert.Contains($"expected akka.persistence.journal.store-sqlite on {Path.Combine(root, ActorStoreOptions.DefaultJournalFile)}", error.Message);
        Assert.False(Directory.Exists(root));
        await system.Terminate();
    }

    [Fact]
    public async Task Open_InASystemJournalingForAnotherStore_IsRefused_WhileItsOwnStoreOpens()
    {
        var options = Durable(_temp.Sub("a"));
        using var system = ActorSystem.Create("other", StoreActorConfig.For(options));

        var error = Assert.Throws<JournalException>(() => TableActorStore.Open(system, Durable(_temp.Sub("b")) with { DiskFormat = DiskFormat.Parquet }));
        Assert.Contains($"its journal is on another database (Data Source={Path.Combine(_temp.Sub("a"), ActorStoreOptions.DefaultJournalFile)})", error.Message);
        await using (var store = ArrayActorStore.Open(system, options))
        {
            await store.AppendAsync("x", NdArray.From(new[] { 1.0 }));
        }

        await system.Terminate();
    }
}
