using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Store.Core.Tests;

namespace Store.Hosting.Tests;

/// <summary>
/// Mistakes in the <c>Store</c> section stop the host's start in the validator's format (key, what is
/// allowed, what was found): keys that are no setting, values of the wrong type, a flush interval
/// without a unit; and the interval the host runs with is logged with its unit.
/// </summary>
public class StoreConfigurationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private IHost Build(CapturingLogger? logs = null, params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Store:Root"] = _temp.Path,
            ["Store:Mode"] = "w",
            ["Store:ArrayFormat"] = "Npy",
            ["Store:TableFormat"] = "Csv",
        };
        foreach (var (key, value) in overrides)
        {
            settings["Store:" + key] = value;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddStore(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task Start_KeysThatAreNoSetting_AreRefusedNamingTheNearestSetting()
    {
        using var host = Build(null, ("ArrayFromat", "Zarr"), ("flushintervall", "00:00:05"), ("Root:Sub", "x"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Store:ArrayFromat is not a setting of Store; the nearest is ArrayFormat", error.Message);
        Assert.Contains("Store:flushintervall is not a setting of Store; the nearest is FlushInterval", error.Message);
        Assert.Contains("Store:Root is a single value; found a section (Sub)", error.Message);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("5")]
    [InlineData("0.5")]
    public async Task Start_FlushIntervalWithoutAUnit_IsRefusedSayingHowToWriteIt(string interval)
    {
        using var host = Build(null, ("FlushInterval", interval));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"Store:FlushInterval must be a duration such as 00:00:30 (hh:mm:ss) or a number with a unit (500ms, 30s, 5m, 2h, 1d); a bare number has no unit (TimeSpan would read 30 as 30 days); found '{interval}'.", error.Message);
    }

    [Theory]
    [InlineData("00:00:30", 30_000)]
    [InlineData("30s", 30_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5m", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    public async Task Start_FlushIntervalAsTimeSpanOrWithAUnit_RunsWithIt_AndLogsItWithItsUnit(string interval, long milliseconds)
    {
        var logs = new CapturingLogger();
        using var host = Build(logs, ("FlushInterval", interval));
        await host.StartAsync();

        var expected = TimeSpan.FromMilliseconds(milliseconds);
        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<StoreOptions>>().Value.FlushInterval);
        await WaitFor(() => logs.Messages.Any(m => m.StartsWith("Flushing the store every ", StringComparison.Ordinal)));
        Assert.Contains($"Flushing the store every {StoreConfiguration.Describe(expected)} (Store:FlushInterval)", logs.Messages);
        await host.StopAsync();
    }

    [Fact]
    public void Describe_ShowsTheConfigurationFormAndTheUnit()
    {
        Assert.Equal("00:00:30 (30 s)", StoreConfiguration.Describe(TimeSpan.FromSeconds(30)));
        Assert.Equal("00:05:00 (5 min)", StoreConfiguration.Describe(TimeSpan.FromMinutes(5)));
        Assert.Equal("00:00:00.2500000 (250 ms)", StoreConfiguration.Describe(TimeSpan.FromMilliseconds(250)));
        Assert.Equal("30.00:00:00 (30 d)", StoreConfiguration.Describe(TimeSpan.FromDays(30)));
    }

    [Fact]
    public async Task Start_ValuesOfTheWrongType_AreRefusedInTheValidatorsFormat_AllAtOnce()
    {
        using var host = Build(null, ("ArrayFormat", "Zarrr"), ("ZarrVersion", "three"), ("MaxBufferedBytes", "lots"), ("Durability", "Jurnal"), ("ZarrCodec", "7"), ("Mode", "x"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Store:ArrayFormat must be one of None, Npy, Npz, Zarr, Parquet, Csv, Ipc, Json (nearest: Zarr); found 'Zarrr'.", error.Message);
        Assert.Contains($"Store:ZarrVersion must be a whole number from {int.MinValue} to {int.MaxValue}; found 'three'.", error.Message);
        Assert.Contains($"Store:MaxBufferedBytes must be a whole number from {long.MinValue} to {long.MaxValue}; found 'lots'.", error.Message);
        Assert.Contains("Store:Durability must be one of None, Journal (nearest: Journal); found 'Jurnal'.", error.Message);
        Assert.Contains("Store:ZarrCodec must be one of None, Gzip, Zlib, Zstd", error.Message);
        // The validator's own checks still run on what did convert.
        Assert.Contains("Store:Mode must be one of r, r+, a, w, w-; found 'x'", error.Message);
    }

    [Fact]
    public void Check_EverySettingOfStoreOptions_IsAKey_WhateverItsCase()
    {
        // Derived from StoreOptions itself: a setting added (or made nullable) there is accepted here.
        var defaults = new StoreOptions();
        var settings = typeof(StoreOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }).ToList();
        Assert.Contains(settings, p => p.Name == "FlushInterval");
        static string? Text(object? value) => value switch
        {
            null => null,
            TimeSpan span => span.ToString("c"),
            var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
        };

        // A section of settings (Cluster) gives a key per setting of its own.
        static bool IsSection(Type type) => type.IsClass && type != typeof(string);
        var values = settings.Where(p => !IsSection(p.PropertyType)).ToDictionary(p => "Store:" + p.Name.ToLowerInvariant(), p => Text(p.GetValue(defaults)));
        foreach (var group in settings.Where(p => IsSection(p.PropertyType)))
        {
            var nested = group.GetValue(defaults)!;
            foreach (var setting in group.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
            {
                values[$"Store:{group.Name.ToUpperInvariant()}:{setting.Name.ToLowerInvariant()}"] = Text(setting.GetValue(nested));
            }
        }

        Assert.Contains("Store:CLUSTER:enabled", values.Keys);
        var section = new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(StoreOptions.Section);

        var read = new StoreOptions { Root = "elsewhere" };
        Assert.Empty(StoreConfiguration.Bind(section, read));
        Assert.Equal(defaults.Root, read.Root);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Keeps every message logged through it.</summary>
    private sealed class CapturingLogger : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
