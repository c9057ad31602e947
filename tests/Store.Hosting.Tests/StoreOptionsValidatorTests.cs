using Microsoft.Extensions.Options;
using Store.Actors;
using Store.Core;
using Store.Core.Formats.Zarr;

namespace Store.Hosting.Tests;

/// <summary>
/// The host's <see cref="StoreOptionsValidator"/> refuses what <see cref="ActorStoreOptionsValidator"/>
/// refuses for the options it maps, naming the configuration key, and never throws itself.
/// </summary>
public class StoreOptionsValidatorTests
{
    // A valid cluster node's options, then one change.
    private static StoreOptions Clustered(Action<StoreOptions> change)
    {
        var options = new StoreOptions
        {
            Durability = Durability.Journal, JournalProvider = "PostgreSQL.15", JournalConnectionString = "Host=127.0.0.1;Database=store",
            Cluster = new StoreClusterOptions { Enabled = true },
        };
        change(options);
        return options;
    }

    private static StoreOptions Bad(string name) => name switch
    {
        "Mode R" => new StoreOptions { Mode = "R" },
        "Root with NUL" => new StoreOptions { Root = "store\0x" },
        "ArrayFormat 99" => new StoreOptions { ArrayFormat = (DiskFormat)99 },
        "TableFormat Npy" => new StoreOptions { TableFormat = DiskFormat.Npy },
        "ZarrCodec 9" => new StoreOptions { ZarrCodec = (ZarrCompressor)9 },
        "Durability 7" => new StoreOptions { Durability = (Durability)7 },
        "JournalProvider empty" => new StoreOptions { JournalProvider = "" },
        "JournalProvider null" => new StoreOptions { JournalProvider = null! },
        "JournalConnectionString blank" => new StoreOptions { JournalConnectionString = " " },
        "MaxBufferedBytes 0" => new StoreOptions { MaxBufferedBytes = 0 },
        "MaxResultBytes -1" => new StoreOptions { MaxResultBytes = -1 },
        "Cluster without a journal" => Clustered(o => o.Durability = Durability.None),
        "Cluster on SQLite" => Clustered(o => o.JournalProvider = "SQLite.MS"),
        "Cluster with NPZ" => Clustered(o => o.ArrayFormat = DiskFormat.Npz),
        "Cluster with mode w" => Clustered(o => o.Mode = "w"),
        "Cluster StoreId with a bar" => Clustered(o => o.Cluster.StoreId = "a|b"),
        "Cluster port 70000" => Clustered(o => o.Cluster.Port = 70_000),
        "Cluster seed without scheme" => Clustered(o => o.Cluster.SeedNodes = "127.0.0.1:4053"),
        "Cluster role worker" => Clustered(o => o.Cluster.Roles = "store,worker"),
        "Cluster no shards" => Clustered(o => o.Cluster.NumberOfShards = 0),
        "Cluster no members" => Clustered(o => o.Cluster.MinimumMembers = 0),
        "Cluster resolver static-quorum" => Clustered(o => o.Cluster.SplitBrainResolver = "static-quorum"),
        "Cluster handoff shorter than a flush" => Clustered(o => o.Cluster.HandOffTimeout = TimeSpan.FromSeconds(60)),
        "Cluster handoff shorter than a longer flush" => Clustered(o => o.FlushTimeout = TimeSpan.FromMinutes(10)),
        "FlushTimeout 0" => new StoreOptions { FlushTimeout = TimeSpan.Zero },
        "Cluster frame 1000" => Clustered(o => o.Cluster.MaximumFrameSize = 1000),
        "FlushInterval 25 days" => new StoreOptions { FlushInterval = TimeSpan.FromDays(25) },
        "FlushInterval max" => new StoreOptions { FlushInterval = TimeSpan.MaxValue },
        "FlushInterval infinite" => new StoreOptions { FlushInterval = Timeout.InfiniteTimeSpan },
        "ActorConfigFile empty" => new StoreOptions { ActorConfigFile = "" },
        "ActorConfigFile with NUL" => new StoreOptions { ActorConfigFile = "store\0.conf" },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [InlineData("Mode R", "Store:Mode")]
    [InlineData("Root with NUL", "Store:Root")]
    [InlineData("ArrayFormat 99", "Store:ArrayFormat")]
    [InlineData("TableFormat Npy", "Store:TableFormat")]
    [InlineData("ZarrCodec 9", "Store:ZarrCodec")]
    [InlineData("Durability 7", "Store:Durability")]
    [InlineData("JournalProvider empty", "Store:JournalProvider")]
    [InlineData("JournalProvider null", "Store:JournalProvider")]
    [InlineData("JournalConnectionString blank", "Store:JournalConnectionString")]
    [InlineData("MaxBufferedBytes 0", "Store:MaxBufferedBytes")]
    [InlineData("MaxResultBytes -1", "Store:MaxResultBytes")]
    [InlineData("Cluster without a journal", "Store:Cluster:Enabled")]
    [InlineData("Cluster on SQLite", "Store:Cluster:Enabled")]
    [InlineData("Cluster with NPZ", "Store:Cluster:Enabled")]
    [InlineData("Cluster with mode w", "Store:Cluster:Enabled")]
    [InlineData("Cluster StoreId with a bar", "Store:Cluster:StoreId")]
    [InlineData("Cluster port 70000", "Store:Cluster:Port")]
    [InlineData("Cluster seed without scheme", "Store:Cluster:SeedNodes")]
    [InlineData("Cluster role worker", "Store:Cluster:Roles")]
    [InlineData("Cluster no shards", "Store:Cluster:NumberOfShards")]
    [InlineData("Cluster no members", "Store:Cluster:MinimumMembers")]
    [InlineData("Cluster resolver static-quorum", "Store:Cluster:SplitBrainResolver")]
    [InlineData("Cluster handoff shorter than a flush", "Store:Cluster:HandOffTimeout")]
    [InlineData("Cluster handoff shorter than a longer flush", "Store:Cluster:HandOffTimeout")]
    [InlineData("FlushTimeout 0", "Store:FlushTimeout")]
    [InlineData("Cluster frame 1000", "Store:Cluster:MaximumFrameSize")]
    [InlineData("FlushInterval 25 days", "Store:FlushInterval")]
    [InlineData("FlushInterval max", "Store:FlushInterval")]
    [InlineData("FlushInterval infinite", "Store:FlushInterval")]
    [InlineData("ActorConfigFile empty", "Store:ActorConfigFile")]
    [InlineData("ActorConfigFile with NUL", "Store:ActorConfigFile")]
    public void Validate_BadValue_FailsNamingTheKey(string name, string key)
    {
        var result = new StoreOptionsValidator().Validate(null, Bad(name));
        Assert.True(result.Failed, $"{name} was accepted");
        var problem = Assert.Single(result.Failures!);
        Assert.StartsWith(key + " ", problem);
        Assert.Contains("found", problem);
    }

    [Fact]
    public void FlushTimeout_ReachesBothActorStores()
    {
        var options = new StoreOptions { FlushTimeout = TimeSpan.FromMinutes(7) };
        Assert.Equal(TimeSpan.FromMinutes(7), options.ArrayStore().FlushTimeout);
        Assert.Equal(TimeSpan.FromMinutes(7), options.TableStore().FlushTimeout);
        Assert.True(new StoreOptionsValidator().Validate(null, Clustered(o => (o.FlushTimeout, o.Cluster.HandOffTimeout) = (TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(7.5)))).Succeeded);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.Same(ValidateOptionsResult.Success, new StoreOptionsValidator().Validate(null, new StoreOptions()));
        Assert.Same(ValidateOptionsResult.Success, new StoreOptionsValidator().Validate(null, Clustered(_ => { })));
    }

    [Fact]
    public void Validate_LongestFlushInterval_IsTheActorStoresLongestTimeout()
    {
        var validator = new StoreOptionsValidator();
        Assert.True(validator.Validate(null, new StoreOptions { FlushInterval = ActorStoreOptionsValidator.MaxTimeout }).Succeeded);
        Assert.True(validator.Validate(null, new StoreOptions { FlushInterval = ActorStoreOptionsValidator.MaxTimeout + TimeSpan.FromTicks(1) }).Failed);
    }
}
