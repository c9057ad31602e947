using Store.Core;
using Store.Core.Arrays;
using Store.Core.Formats.Zarr;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// Every <see cref="ActorStoreOptions"/> value is checked when a store opens: a bad one is a
/// <see cref="StoreException"/> naming the option, never a raw runtime error or a call that hangs.
/// </summary>
public class ActorStoreOptionsValidationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // A valid cluster store's options over a base (a PostgreSQL journal that is never reached: validation comes first).
    private static ActorStoreOptions Clustered(ActorStoreOptions options) => options with
    {
        Durability = Durability.Journal, JournalProvider = "PostgreSQL.15", JournalConnectionString = "Host=127.0.0.1;Port=1;Database=none",
        StoreId = "s1", Cluster = new ClusterStoreOptions(),
    };

    // Case name → the store kind, the bad options (over a valid on-disk base) and the option the message must name.
    private (StoreKind Kind, ActorStoreOptions Options, string Option) Case(string name)
    {
        var arrays = new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy };
        var tables = arrays with { DiskFormat = DiskFormat.Csv };
        return name switch
        {
            "MaxPendingCommands 0" => (StoreKind.Array, arrays with { MaxPendingCommands = 0 }, "MaxPendingCommands is 0"),
            "MaxPendingCommands -1" => (StoreKind.Table, tables with { MaxPendingCommands = -1 }, "MaxPendingCommands is -1"),
            "MaxBufferedBytes 0" => (StoreKind.Array, arrays with { MaxBufferedBytes = 0 }, "MaxBufferedBytes is 0"),
            "MaxBufferedBytes -1" => (StoreKind.Table, tables with { MaxBufferedBytes = -1 }, "MaxBufferedBytes is -1"),
            "MaxResultBytes 0" => (StoreKind.Table, tables with { MaxResultBytes = 0 }, "MaxResultBytes is 0"),
            "StoreId empty" => (StoreKind.Array, arrays with { StoreId = "" }, "StoreId is ''"),
            "Cluster without a journal" => (StoreKind.Table, Clustered(tables) with { Durability = Durability.None }, "Durability is None; a cluster store"),
            "Cluster on SQLite" => (StoreKind.Table, Clustered(tables) with { JournalProvider = "SQLite.MS" }, "JournalProvider is 'SQLite.MS'"),
            "Cluster without a journal database" => (StoreKind.Array, Clustered(arrays) with { JournalConnectionString = null }, "JournalProvider is 'PostgreSQL.15' with JournalConnectionString null"),
            "Cluster without StoreId" => (StoreKind.Table, Clustered(tables) with { StoreId = null }, "StoreId is null; a cluster store"),
            "Cluster with NPZ" => (StoreKind.Array, Clustered(arrays) with { DiskFormat = DiskFormat.Npz }, "DiskFormat is Npz; a cluster store"),
            "Cluster with no shards" => (StoreKind.Table, Clustered(tables) with { Cluster = new ClusterStoreOptions { NumberOfShards = 0 } }, "Cluster.NumberOfShards is 0"),
            "StoreId with a bar" => (StoreKind.Table, tables with { StoreId = "a|b" }, "StoreId is 'a|b'"),
            "JournalTrimEvents 0" => (StoreKind.Array, arrays with { JournalTrimEvents = 0, Durability = Durability.Journal }, "JournalTrimEvents is 0"),
            "JournalTrimEvents -5" => (StoreKind.Table, tables with { JournalTrimEvents = -5 }, "JournalTrimEvents is -5"),
            "AskTimeout 0" => (StoreKind.Array, arrays with { AskTimeout = TimeSpan.Zero }, "AskTimeout is 00:00:00"),
            "AskTimeout -1s" => (StoreKind.Table, tables with { AskTimeout = TimeSpan.FromSeconds(-1) }, "AskTimeout is -00:00:01"),
            "AskTimeout infinite" => (StoreKind.Array, arrays with { AskTimeout = Timeout.InfiniteTimeSpan }, "AskTimeout is -00:00:00.0010000"),
            "AskTimeout max" => (StoreKind.Array, arrays with { AskTimeout = TimeSpan.MaxValue }, "AskTimeout is " + TimeSpan.MaxValue),
            "FlushTimeout 0" => (StoreKind.Array, arrays with { FlushTimeout = TimeSpan.Zero }, "FlushTimeout is 00:00:00"),
            "FlushTimeout max" => (StoreKind.Table, tables with { FlushTimeout = TimeSpan.MaxValue }, "FlushTimeout is " + TimeSpan.MaxValue),
            "FlushTimeout 25 days" => (StoreKind.Array, arrays with { FlushTimeout = TimeSpan.FromDays(25) }, "FlushTimeout is 25.00:00:00"),
            "PassivateAfter 0" => (StoreKind.Array, arrays with { PassivateAfter = TimeSpan.Zero }, "PassivateAfter is 00:00:00"),
            "PassivateAfter -1s" => (StoreKind.Table, tables with { PassivateAfter = TimeSpan.FromSeconds(-1) }, "PassivateAfter is -00:00:01"),
            "PassivateAfter 100 days" => (StoreKind.Array, arrays with { PassivateAfter = TimeSpan.FromDays(100) }, "PassivateAfter is 100.00:00:00"),
            "Mode x" => (StoreKind.Array, arrays with { Mode = "x" }, "Mode is 'x'"),
            "Mode empty" => (StoreKind.Table, tables with { Mode = "" }, "Mode is ''"),
            "Mode null" => (StoreKind.Array, arrays with { Mode = null! }, "Mode is null"),
            "Mode R" => (StoreKind.Table, tables with { Mode = "R" }, "Mode is 'R'"),
            "DiskFormat Parquet for arrays" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Parquet }, "DiskFormat is Parquet"),
            "DiskFormat Zarr for tables" => (StoreKind.Table, tables with { DiskFormat = DiskFormat.Zarr }, "DiskFormat is Zarr"),
            "DiskFormat 99" => (StoreKind.Array, arrays with { DiskFormat = (DiskFormat)99 }, "DiskFormat is 99"),
            "Durability 7" => (StoreKind.Array, arrays with { Durability = (Durability)7 }, "Durability is 7"),
            "JournalProvider empty" => (StoreKind.Array, arrays with { JournalProvider = "" }, "JournalProvider is ''"),
            "JournalProvider null" => (StoreKind.Table, tables with { JournalProvider = null!, Durability = Durability.Journal }, "JournalProvider is null"),
            "JournalConnectionString blank" => (StoreKind.Array, arrays with { JournalConnectionString = " ", Durability = Durability.Journal }, "JournalConnectionString is ' '"),
            "Root null" => (StoreKind.Array, arrays with { Root = null! }, "Root is null"),
            "Root empty with a disk format" => (StoreKind.Table, tables with { Root = "" }, "Root is ''"),
            "Root with NUL" => (StoreKind.Array, arrays with { Root = _temp.Path + "/a\0b" }, "Root contains a NUL"),
            "Zarr Version 4" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { Version = 4 } }, "Zarr.Version is 4"),
            "Zarr Compressor 9" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { Compressor = (ZarrCompressor)9 } }, "Zarr.Compressor is 9"),
            "Zarr Zlib in v3" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { Version = 3, Compressor = ZarrCompressor.Zlib } }, "Zarr.Compressor is Zlib"),
            "Zarr CompressionLevel 50" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { CompressionLevel = 50 } }, "Zarr.CompressionLevel is 50"),
            "Zarr TargetChunkBytes 0" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { TargetChunkBytes = 0 } }, "Zarr.TargetChunkBytes is 0"),
            "Zarr ChunkShape 0" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { ChunkShape = [0, 3] } }, "Zarr.ChunkShape is (0, 3)"),
            "Zarr ChunkShape past one buffer" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { ChunkShape = [int.MaxValue, int.MaxValue] } }, "Zarr.ChunkShape is (2147483647, 2147483647)"),
            "Zarr shard past one buffer" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { ChunkShape = [1 << 20, 3], ChunksPerShard = 1024 } }, "Zarr.ChunksPerShard is 1024"),
            "Zarr ChunksPerShard 0" => (StoreKind.Array, arrays with { DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { ChunksPerShard = 0 } }, "Zarr.ChunksPerShard is 0"),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    public static TheoryData<string> Cases => new()
    {
        "MaxPendingCommands 0", "MaxPendingCommands -1", "MaxBufferedBytes 0", "MaxBufferedBytes -1", "MaxResultBytes 0", "StoreId empty", "StoreId with a bar",
        "Cluster without a journal", "Cluster on SQLite", "Cluster without a journal database", "Cluster without StoreId", "Cluster with NPZ",
        "Cluster with no shards",
        "JournalTrimEvents 0", "JournalTrimEvents -5",
        "AskTimeout 0", "AskTimeout -1s", "AskTimeout infinite", "AskTimeout max",
        "FlushTimeout 0", "FlushTimeout max", "FlushTimeout 25 days",
        "PassivateAfter 0", "PassivateAfter -1s", "PassivateAfter 100 days",
        "Mode x", "Mode empty", "Mode null", "Mode R",
        "DiskFormat Parquet for arrays", "DiskFormat Zarr for tables", "DiskFormat 99", "Durability 7",
        "JournalProvider empty", "JournalProvider null", "JournalConnectionString blank",
        "Root null", "Root empty with a disk format", "Root with NUL",
        "Zarr Version 4", "Zarr Compressor 9", "Zarr Zlib in v3", "Zarr CompressionLevel 50", "Zarr TargetChunkBytes 0",
        "Zarr ChunkShape 0", "Zarr ChunkShape past one buffer", "Zarr shard past one buffer", "Zarr ChunksPerShard 0",
    };

    // Opens the store and uses it (append, read, flush): a bad option must be refused by then, not hang.
    private static async Task OpenAndUseAsync(StoreKind kind, ActorStoreOptions options)
    {
        if (kind == StoreKind.Array)
        {
            await using var arrays = ArrayActorStore.Open(options);
            await arrays.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }));
            await arrays.ReadAsync("x");
            await arrays.FlushAsync();
        }
        else
        {
            await using var tables = TableActorStore.Open(options);
            await tables.AppendAsync("t", Table.FromColumns(("a", TableColumn.Of<long>([1L]))));
            await tables.QueryAsync("t", filter: "a > 0");
            await tables.FlushAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Open_BadOption_ThrowsStoreExceptionNamingTheOption(string name)
    {
        var (kind, options, option) = Case(name);
        var error = await Assert.ThrowsAnyAsync<StoreException>(() => Task.Run(() => OpenAndUseAsync(kind, options)).WaitAsync(Patience));
        Assert.Contains($"ActorStoreOptions.{option}", error.Message);
        Assert.Contains("expected", error.Message);
        if (option.StartsWith("Mode", StringComparison.Ordinal))
        {
            Assert.IsType<StoreModeException>(error);
        }
    }

    [Fact]
    public async Task Open_ClusterStoreWithModeW_OrOutsideAClusterSystem_IsRefused()
    {
        var tables = Clustered(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Parquet });
        var clearing = await Assert.ThrowsAnyAsync<StoreException>(() => Task.Run(() => OpenAndUseAsync(StoreKind.Table, tables with { Mode = "w" })).WaitAsync(Patience));
        Assert.Contains("ActorStoreOptions.Mode is 'w'; a cluster store expected 'a' or 'r+'", clearing.Message);
        var alone = await Assert.ThrowsAnyAsync<StoreException>(() => Task.Run(() => OpenAndUseAsync(StoreKind.Table, tables)).WaitAsync(Patience));
        Assert.Contains("akka.actor.provider = cluster", alone.Message);
        Assert.False(File.Exists(Path.Combine(_temp.Path, ".store.lock")));
    }

    [Fact]
    public async Task Open_SeveralBadOptions_NamesEveryOne()
    {
        var options = new ActorStoreOptions { MaxPendingCommands = 0, MaxBufferedBytes = -1, AskTimeout = TimeSpan.Zero, Zarr = new ZarrOptions { Version = 1 } };
        var error = await Assert.ThrowsAnyAsync<StoreException>(() => Task.Run(() => OpenAndUseAsync(StoreKind.Array, options)).WaitAsync(Patience));
        Assert.Contains("ActorStoreOptions.MaxPendingCommands is 0; expected at least 1.", error.Message);
        Assert.Contains("ActorStoreOptions.MaxBufferedBytes is -1; expected at least 1.", error.Message);
        Assert.Contains("ActorStoreOptions.AskTimeout is 00:00:00; expected more than 00:00:00 and at most 24.00:00:00.", error.Message);
        Assert.Contains("ActorStoreOptions.Zarr.Version is 1; expected 2 or 3.", error.Message);
    }

    [Fact]
    public async Task Open_BadOption_CreatesNothingOnDisk()
    {
        var root = _temp.Sub("never");
        var options = new ActorStoreOptions { Root = root, DiskFormat = DiskFormat.Npy, Mode = "w", Durability = Durability.Journal, MaxPendingCommands = 0 };
        await Assert.ThrowsAnyAsync<StoreException>(() => Task.Run(() => OpenAndUseAsync(StoreKind.Array, options)).WaitAsync(Patience));
        Assert.False(Directory.Exists(root));
    }

    [Theory]
    [InlineData(StoreKind.Array)]
    [InlineData(StoreKind.Table)]
    public async Task Open_EveryOptionAtItsLimit_Works(StoreKind kind)
    {
        var options = new ActorStoreOptions
        {
            Root = _temp.Path,
            DiskFormat = kind == StoreKind.Array ? DiskFormat.Zarr : DiskFormat.Parquet,
            Mode = "w",
            Durability = Durability.Journal,
            JournalTrimEvents = 1,
            MaxBufferedBytes = 1,
            MaxPendingCommands = 1,
            AskTimeout = TimeSpan.FromDays(24),
            FlushTimeout = TimeSpan.FromDays(24),
            PassivateAfter = TimeSpan.FromDays(24),
            Zarr = new ZarrOptions { Version = 2, Compressor = ZarrCompressor.Zlib, CompressionLevel = 9, ChunkShape = [1], TargetChunkBytes = 1 },
        };
        await OpenAndUseAsync(kind, options).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEmpty(Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories));
    }
}
