using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Hosting.Tests;

/// <summary>
/// The hosted store with <c>Store:Cluster</c> enabled: the runtime's own actor system becomes a
/// cluster node (remoting on 127.0.0.1, any free port, no seed nodes: it starts the cluster), both
/// stores run as sharded stores on a throwaway PostgreSQL journal, and what they write is read back
/// by single-machine readers; three hosted nodes sharing one output keep every row when two of them
/// close one after the other.
/// </summary>
public sealed class HostedClusterTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly PostgresServer _postgres = PostgresServer.Start();

    public void Dispose()
    {
        _postgres.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task ClusterEnabled_RunsBothStoresAsAOneNodeCluster_AndTheirFilesReadBack()
    {
        var options = new StoreOptions
        {
            Root = _temp.Path, ArrayFormat = DiskFormat.Zarr, TableFormat = DiskFormat.Parquet, Durability = Durability.Journal,
            JournalProvider = "PostgreSQL.15", JournalConnectionString = _postgres.CreateDatabase(),
            Cluster = new StoreClusterOptions { Enabled = true, StoreId = "hosted", Port = 0, StableAfter = TimeSpan.FromSeconds(3) },
        };
        Assert.Same(Microsoft.Extensions.Options.ValidateOptionsResult.Success, new StoreOptionsValidator().Validate(null, options));

        await using (var runtime = StoreRuntime.Start(options, NullLogger.Instance))
        {
            Assert.IsType<Akka.Cluster.ClusterActorRefProvider>(((Akka.Actor.ExtendedActorSystem)runtime.Arrays.System).Provider);
            for (var i = 0; i < 5; i++)
            {
                await runtime.Arrays.AppendAsync("frames", NdArray.From(new float[] { i, i, i }, 1, 3), "p", i);
                await runtime.Tables.AppendAsync("energies", Table.FromColumns(("step", TableColumn.Of<long>([i]))), "p", i);
            }

            var report = await runtime.Tables.FlushAsync();
            Assert.Equal(["energies"], report.Outcomes.Select(o => o.Path));
            Assert.Equal(["frames"], await runtime.Arrays.AvailableAsync());
        }

        using var arrays = new ArrayStore(options.ArrayRoot, "r");
        Assert.Equal(Enumerable.Range(0, 5).SelectMany(i => new float[] { i, i, i }), arrays.Read("frames")!.ToArray<float>());
        using var tables = new TableStore(options.TableRoot, "r");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (long?)i), tables.Read("energies")!.Values<long>("step"));
    }

    [Fact]
    public async Task AkkaHosting_WithStoreAndClusterEnabled_SetsTheNodeUpThroughClusterHosting_AndTheStoresServe()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Root"] = _temp.Path, ["Store:Mode"] = "a", ["Store:ArrayFormat"] = "Zarr", ["Store:TableFormat"] = "Parquet",
            ["Store:Durability"] = "Journal", ["Store:JournalProvider"] = "PostgreSQL.15", ["Store:JournalConnectionString"] = _postgres.CreateDatabase(),
            ["Store:Cluster:Enabled"] = "true", ["Store:Cluster:StoreId"] = "akka-hosted", ["Store:Cluster:Port"] = "0",
            ["Store:Cluster:SplitBrainResolver"] = "keep-oldest", ["Store:Cluster:StableAfter"] = "3s",
        });
        builder.Services.AddAkka("store", (akka, services) => akka.WithStore(services));
        builder.Services.AddStoreInAkka(builder.Configuration);
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var runtime = host.Services.GetRequiredService<StoreRuntime>();
            await runtime.WhenUpAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var config = runtime.Arrays.System.Settings.Config;
            Assert.IsType<Akka.Cluster.ClusterActorRefProvider>(((Akka.Actor.ExtendedActorSystem)runtime.Arrays.System).Provider);
            Assert.Equal("keep-oldest", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
            Assert.Equal(4L << 20, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
            Assert.Equal(TimeSpan.FromMinutes(6), config.GetTimeSpan("akka.cluster.sharding.handoff-timeout"));
            Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
            for (var i = 0; i < 3; i++)
            {
                await runtime.Arrays.AppendAsync("frames", NdArray.From(new float[] { i, i, i }, 1, 3), "p", i);
                await runtime.Tables.AppendAsync("energies", Table.FromColumns(("step", TableColumn.Of<long>([i]))), "p", i);
            }

            await host.StopAsync();
        }

        using var arrays = new ArrayStore(Path.Combine(_temp.Path, "arrays"), "r");
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(i => new float[] { i, i, i }), arrays.Read("frames")!.ToArray<float>());
        using var tables = new TableStore(Path.Combine(_temp.Path, "tables"), "r");
        Assert.Equal(Enumerable.Range(0, 3).Select(i => (long?)i), tables.Read("energies")!.Values<long>("step"));
    }

    [Fact]
    public void ClusterConfig_CarriesMinimumMembersAndTheSplitBrainStrategy()
    {
        var options = new StoreOptions { Cluster = new StoreClusterOptions { Enabled = true, MinimumMembers = 3, SplitBrainResolver = "keep-oldest", Port = 0 } };
        var config = StoreRuntime.ActorConfig(options);
        Assert.Equal(3, config.GetInt("akka.cluster.min-nr-of-members"));
        Assert.Equal("keep-oldest", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
    }

    [Fact]
    public async Task ThreeHostedNodes_TwoClosingOneAfterTheOther_TheThirdServesAndEveryRowIsKept()
    {
        var journal = _postgres.CreateDatabase();
        var ports = Enumerable.Range(0, 3).Select(_ => PostgresServer.FreePort()).ToArray();
        StoreOptions Node(int n) => new()
        {
            Root = _temp.Path, ArrayFormat = DiskFormat.Zarr, TableFormat = DiskFormat.Parquet, Durability = Durability.Journal,
            JournalProvider = "PostgreSQL.15", JournalConnectionString = journal,
            Cluster = new StoreClusterOptions
            {
                Enabled = true, StoreId = "hosted3", Port = ports[n], StableAfter = TimeSpan.FromSeconds(3),
                SeedNodes = n == 0 ? "" : $"akka.tcp://store@127.0.0.1:{ports[0]}",
            },
        };
        var runtimes = Enumerable.Range(0, 3).Select(n => StoreRuntime.Start(Node(n), NullLogger.Instance)).ToList();
        var appends = runtimes.Select((runtime, n) => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await runtime.Arrays.AppendAsync($"ens0/run{n}/frames", NdArray.From(new float[] { i, i, i }, 1, 3));
                await runtime.Tables.AppendAsync("energies", Table.FromColumns(("run", TableColumn.Of<long>([n])), ("step", TableColumn.Of<long>([i]))));
            }

            await runtime.Arrays.FlushAsync();
            await runtime.Tables.FlushAsync();
        })).ToList();
        await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(120));
        // One after the other: nodes that leave at the same moment can hold up the paths that lived on them (README, Cluster mode).
        await runtimes[0].DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(120));
        await runtimes[2].DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(120));
        await runtimes[1].Arrays.AppendAsync("ens0/run1/frames", NdArray.From(new float[] { 9, 9, 9 }, 1, 3)).WaitAsync(TimeSpan.FromSeconds(60));
        await runtimes[1].DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(120));
        using var tables = new TableStore(Node(0).TableRoot, "r");
        Assert.Equal(60, tables.Read("energies")!.RowCount);
    }
}
