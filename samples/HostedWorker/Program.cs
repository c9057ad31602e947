// A worker service writing through the hosted store: three producers append on timers, the host
// flushes every Store:FlushInterval, and Ctrl+C / SIGTERM flushes everything before it exits.
//   dotnet run --project samples/HostedWorker -- --Store:Root=/tmp/worker [--Worker:RunFor=00:00:05]
// Any option of config/appsettings.json can be given this way (for example --Store:Durability=Journal).
using HostedWorker;
using Store.Hosting;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddStore(builder.Configuration, options => options.ActorConfigFile ??= Path.Combine(AppContext.BaseDirectory, "store.conf"));
builder.Services.Configure<WorkerOptions>(builder.Configuration.GetSection(WorkerOptions.Section));
foreach (var (sensor, milliseconds) in new[] { ("thermometer", 50), ("barometer", 80), ("anemometer", 120) })
{
    // AddHostedService would keep one instance per type; these are three of one type.
    builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<SensorProducer>(sp, sensor, TimeSpan.FromMilliseconds(milliseconds)));
}

builder.Services.AddHostedService<StopAfter>();
await builder.Build().RunAsync();
