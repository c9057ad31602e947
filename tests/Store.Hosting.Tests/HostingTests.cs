using System.Diagnostics.Metrics;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;
using Store.Interop.Tests;

namespace Store.Hosting.Tests;

/// <summary>The store in a generic host: options from configuration, validation at start, periodic and shutdown flushes.</summary>
public class HostingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Store:Root"] = _temp.Path,
            ["Store:Mode"] = "w",
            ["Store:ArrayFormat"] = "Npy",
            ["Store:TableFormat"] = "Csv",
            ["Store:FlushInterval"] = "01:00:00",
        };
        foreach (var (key, value) in overrides)
        {
            settings["Store:" + key] = value;
        }

        return settings;
    }

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddStore(builder.Configuration);
        more?.Invoke(builder.Services);
        return builder.Build();
    }

    [Fact]
    public async Task Start_WithOptionsFromConfiguration_OpensBothStoresWhereTheOptionsSay()
    {
        using var host = Build(Settings(("ZarrVersion", "2"), ("MaxBufferedBytes", "1048576")));
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<StoreOptions>>().Value;
        Assert.Equal((DiskFormat.Npy, DiskFormat.Csv, 2, 1048576L), (options.ArrayFormat, options.TableFormat, options.ZarrVersion, options.MaxBufferedBytes));

        var arrays = host.Services.GetRequiredService<ArrayActorStore>();
        var tables = host.Services.GetRequiredService<TableActorStore>();
        Assert.Equal(Path.Combine(_temp.Path, "arrays"), arrays.Root);
        Assert.Equal(Path.Combine(_temp.Path, "tables"), tables.Root);
        Assert.Equal((DiskFormat.Npy, DiskFormat.Csv), (arrays.DiskFormat, tables.DiskFormat));
        Assert.Same(arrays, host.Services.GetRequiredService<StoreRuntime>().Arrays);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_InvalidOptions_IsRefusedNamingEveryProblem()
    {
        using var host = Build(Settings(("Mode", "x"), ("ZarrVersion", "4"), ("FlushInterval", "00:00:00"), ("ArrayFormat", "Parquet"), ("TableFormat", "Zarr")));
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Store:Mode must be one of r, r+, a, w, w-; found 'x'", error.Message);
        Assert.Contains("Store:ZarrVersion must be 2 or 3, or absent for the root's version; found 4", error.Message);
        Assert.Contains("Store:FlushInterval must be positive", error.Message);
        Assert.Contains("Store:ArrayFormat must be one of None, Npy, Npz, Zarr; found Parquet", error.Message);
        Assert.Contains("Store:TableFormat must be one of None, Parquet, Csv, Ipc, Json; found Zarr", error.Message);
    }

    [Fact]
    public async Task Start_RootThatDoesNotSatisfyTheMode_FailsTheStart()
    {
        using var host = Build(Settings(("Mode", "r+"), ("Root", _temp.Sub("missing"))));
        var error = await Assert.ThrowsAsync<StoreModeException>(() => host.StartAsync());
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task StopAsync_FlushesWhatProducersAppended_IncludingTheirLastAppends()
    {
        using var host = Build(Settings(), services => services.AddHostedService<FrameProducer>());
        await host.StartAsync();
        var producer = host.Services.GetServices<IHostedService>().OfType<FrameProducer>().Single();
        await producer.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.StopAsync();

        Assert.True(producer.Acknowledged > 0);
        using var store = new ArrayStore(Path.Combine(_temp.Path, "arrays"), "r", DiskFormat.Npy);
        Assert.Equal(producer.Acknowledged, store.Shape("frames")![0]);
        using var tables = new Store.Core.Tables.TableStore(Path.Combine(_temp.Path, "tables"), "r", DiskFormat.Csv);
        Assert.Equal(producer.Acknowledged, tables.Read("log")!.RowCount);
    }

    [Fact]
    public async Task StopAsync_OneStoreCannotFlush_TheOtherStillFlushesAndCloses()
    {
        using var host = Build(Settings());
        await host.StartAsync();
        await host.Services.GetRequiredService<ArrayActorStore>().AppendAsync("x", NdArray.From(new[] { 1.0 }));
        await host.Services.GetRequiredService<TableActorStore>().AppendAsync("log", Store.Core.Tables.Table.FromColumns(("n", new Apache.Arrow.Int64Array.Builder().Append(7).Build())));
        Directory.CreateDirectory(Path.Combine(_temp.Path, "arrays", "x.npy", "in-the-way"));

        await host.StopAsync();

        using var tables = new Store.Core.Tables.TableStore(Path.Combine(_temp.Path, "tables"), "r", DiskFormat.Csv);
        Assert.Equal(1, tables.Read("log")!.RowCount);
        Assert.Throws<ObjectDisposedException>(() => host.Services.GetRequiredService<TableActorStore>().FlushAsync().GetAwaiter().GetResult());
    }

    [Fact]
    public async Task PeriodicFlush_WritesFilesWhileTheHostRuns()
    {
        using var host = Build(Settings(("FlushInterval", "00:00:00.200")));
        await host.StartAsync();
        await host.Services.GetRequiredService<ArrayActorStore>().AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }));
        var file = Path.Combine(_temp.Path, "arrays", "x.npy");
        var flushes = host.Services.GetRequiredService<StoreFlushService>();

        // The file appears during the first periodic flush; the count goes up once that flush returned.
        for (var i = 0; i < 100 && !(File.Exists(file) && flushes.PeriodicFlushes > 0); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(file), "no periodic flush within 5 s");
        Assert.True(flushes.PeriodicFlushes > 0);
        await host.StopAsync();
    }

    [Fact]
    public async Task Journal_ThroughTheHost_KeepsOneDatabaseUnderTheRoot()
    {
        using (var host = Build(Settings(("Durability", "Journal"), ("ArrayFormat", "Zarr"), ("TableFormat", "Parquet"))))
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<ArrayActorStore>().AppendAsync("x", NdArray.From(new[] { 1f, 2f }));
            await host.Services.GetRequiredService<TableActorStore>().AppendAsync("t", Store.Core.Tables.Table.FromColumns(("a", new Apache.Arrow.Int64Array.Builder().Append(1).Build())));
            Assert.True(File.Exists(Path.Combine(_temp.Path, ActorStoreOptions.DefaultJournalFile)));
            await host.StopAsync();
        }

        using var reopened = Build(Settings(("Durability", "Journal"), ("ArrayFormat", "Zarr"), ("TableFormat", "Parquet"), ("Mode", "a")));
        await reopened.StartAsync();
        var values = await reopened.Services.GetRequiredService<ArrayActorStore>().ReadAsync("x");
        Assert.Equal([1f, 2f], values!.ToArray<float>());
        Assert.Equal(1L, await reopened.Services.GetRequiredService<TableActorStore>().ShapeAsync("t"));
        await reopened.StopAsync();
    }

    [Fact]
    public async Task ReadOnlyHost_WithJournalDurability_WritesNothing()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, "arrays"));
        Directory.CreateDirectory(Path.Combine(_temp.Path, "tables"));
        using var host = Build(Settings(("Durability", "Journal"), ("Mode", "r")));
        await host.StartAsync();
        await Assert.ThrowsAsync<StoreModeException>(() => host.Services.GetRequiredService<ArrayActorStore>().AppendAsync("x", NdArray.From(new[] { 1.0 })));
        await host.StopAsync();
        Assert.Empty(Directory.GetFiles(_temp.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AkkaHosting_WithStore_RunsTheStoreInTheHostsActorSystem()
    {
        var settings = Settings(("ActorConfigFile", ConfigFile("store.conf")));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAkka("app", (akka, services) => akka.WithStore(services));
        builder.Services.AddStoreInAkka(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();

        var runtime = host.Services.GetRequiredService<StoreRuntime>();
        Assert.Same(host.Services.GetRequiredService<Akka.Actor.ActorSystem>(), runtime.Arrays.System);
        await runtime.Arrays.AppendAsync("x", NdArray.From(new[] { 3.0 }));
        await host.StopAsync();
        Assert.True(File.Exists(Path.Combine(_temp.Path, "arrays", "x.npy")));
    }

    [Fact]
    public async Task AkkaHosting_WithStoreAndJournal_JournalsOnTheStoresDatabase_WithNoSnapshotsFolder()
    {
        var settings = Settings(("Durability", "Journal"), ("ActorConfigFile", ConfigFile("store.conf")));
        var snapshots = Path.Combine(Environment.CurrentDirectory, "snapshots");
        var snapshotsBefore = Directory.Exists(snapshots);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAkka("app", (akka, services) => akka.WithStore(services));
        builder.Services.AddStoreInAkka(builder.Configuration);
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var system = host.Services.GetRequiredService<Akka.Actor.ActorSystem>();
            var journal = $"Data Source={Path.Combine(_temp.Path, ActorStoreOptions.DefaultJournalFile)}";
            Assert.Equal("akka.persistence.snapshot-store.store-sqlite", system.Settings.Config.GetString("akka.persistence.snapshot-store.plugin"));
            Assert.Equal(journal, system.Settings.Config.GetString("akka.persistence.snapshot-store.store-sqlite.connection-string"));
            Assert.Equal(journal, system.Settings.Config.GetString("akka.persistence.journal.store-sqlite.connection-string"));
            var arrays = host.Services.GetRequiredService<ArrayActorStore>();
            Assert.Equal(new IndexRange(0, 2), await arrays.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }), "p", 1));
            await host.StopAsync();
        }

        // The producer log and the data are in the database and the files: a new host answers the retry with the original rows.
        Assert.Equal(snapshotsBefore, Directory.Exists(snapshots));
        using var reopened = Build(Settings(("Durability", "Journal"), ("Mode", "a")));
        await reopened.StartAsync();
        var store = reopened.Services.GetRequiredService<ArrayActorStore>();
        Assert.Equal(new IndexRange(0, 2), await store.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }), "p", 1));
        var values = await store.ReadAsync("x");
        Assert.Equal([1.0, 2.0], values!.ToArray<double>());
        await reopened.StopAsync();
    }

    [Fact]
    public async Task Meter_CountsAppendsAndFlushes_AndObservesBufferedBytes()
    {
        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StoreMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (tags.ToArray().Any(t => t.Key == "store.root" && (string?)t.Value == Path.Combine(_temp.Path, "arrays")))
            {
                lock (measured)
                {
                    measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
                }
            }
        });
        listener.Start();

        using var host = Build(Settings());
        await host.StartAsync();
        var arrays = host.Services.GetRequiredService<ArrayActorStore>();
        await arrays.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0, 3.0 }));
        await arrays.AppendAsync("x", NdArray.From(new[] { 4.0 }));
        listener.RecordObservableInstruments();
        lock (measured)
        {
            Assert.Equal(2, measured.GetValueOrDefault("store.appends"));
            Assert.Equal(4, measured.GetValueOrDefault("store.appended_rows"));
            Assert.Equal(32, measured.GetValueOrDefault("store.buffered_bytes"));
        }

        await arrays.FlushAsync();
        lock (measured)
        {
            Assert.Equal(1, measured.GetValueOrDefault("store.flushes"));
        }

        await host.StopAsync();
    }

    internal static string ConfigFile(string name) => Path.Combine(Readers.RepositoryRoot(), "config", name);

    /// <summary>A producer service: appends a frame and a row every few milliseconds until the host stops, then one more.</summary>
    private sealed class FrameProducer(ArrayActorStore arrays, TableActorStore tables) : BackgroundService
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Acknowledged { get; private set; }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (true)
            {
                var n = Acknowledged;
                await arrays.AppendAsync("frames", NdArray.From(new[] { (double)n, n * 2.0 }, 1, 2));
                await tables.AppendAsync("log", Store.Core.Tables.Table.FromColumns(("n", new Apache.Arrow.Int64Array.Builder().Append(n).Build())));
                Acknowledged++;
                if (Acknowledged == 5)
                {
                    Started.TrySetResult();
                }

                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(5, CancellationToken.None);
            }
        }
    }
}
