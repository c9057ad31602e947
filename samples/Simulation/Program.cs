// The main job: several Lennard-Jones runs in parallel threads, writing trajectories and energies
// through the store. See README ("Run it") and `dotnet run --project samples/Simulation -- --help`.
using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Simulation;
using Spectre.Console;
using Store.Actors;
using Store.Core;
using Store.Hosting;

var output = new Option<DirectoryInfo>("--out") { Description = "Output folder: arrays in DIR/arrays, tables in DIR/tables.", Required = true };
var runs = new Option<int>("--runs") { Description = "Independent runs, each on its own thread.", DefaultValueFactory = _ => 4 };
var frames = new Option<int>("--frames") { Description = "Frames per run (frame 0 is the initial state).", DefaultValueFactory = _ => 1000 };
var atoms = new Option<int>("--atoms") { Description = "Atoms per run.", DefaultValueFactory = _ => 256 };
var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same data in every format.", DefaultValueFactory = _ => 42 };
var arrayFormat = new Option<string>("--array-format") { Description = "npy, npz or zarr.", DefaultValueFactory = _ => "zarr" };
arrayFormat.AcceptOnlyFromAmong("npy", "npz", "zarr");
var zarrVersion = new Option<int>("--zarr-version") { Description = "Zarr format version, 2 or 3.", DefaultValueFactory = _ => 3 };
zarrVersion.AcceptOnlyFromAmong("2", "3");
var tableFormat = new Option<string>("--table-format") { Description = "parquet, csv, ipc or json.", DefaultValueFactory = _ => "parquet" };
tableFormat.AcceptOnlyFromAmong("parquet", "csv", "ipc", "json");
var durable = new Option<bool>("--durable") { Description = "Journal every append before it is acknowledged (survives a crash)." };
var flushEvery = new Option<int>("--flush-every") { Description = "Flush every N frames of a run.", DefaultValueFactory = _ => 100 };
var resume = new Option<bool>("--resume") { Description = "Continue an existing output from each run's last stored frame." };

var command = new RootCommand("Lennard-Jones molecular dynamics written through the store.")
{
    output, runs, frames, atoms, seed, arrayFormat, zarrVersion, tableFormat, durable, flushEvery, resume,
};
foreach (var option in new[] { runs, frames, atoms, flushEvery })
{
    option.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<int>() < 1)
        {
            result.AddError($"{option.Name} must be at least 1; found {result.GetValueOrDefault<int>()}.");
        }
    });
}
command.SetAction(async (parse, cancellationToken) =>
{
    var root = parse.GetValue(output)!.FullName;
    var resuming = parse.GetValue(resume);
    if (resuming && !Directory.Exists(root))
    {
        Console.Error.WriteLine($"--resume: '{root}' does not exist; run once without --resume to create it.");
        return 2;
    }

    // The Store section of appsettings.json (next to the program), then the command line.
    var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true).Build();
    var options = new StoreOptions();
    var mistakes = StoreConfiguration.Bind(configuration.GetSection(StoreOptions.Section), options);
    options.Root = root;
    options.Mode = resuming ? "a" : "w";
    options.ArrayFormat = Enum.Parse<DiskFormat>(parse.GetValue(arrayFormat)!, ignoreCase: true);
    options.TableFormat = Enum.Parse<DiskFormat>(parse.GetValue(tableFormat)!, ignoreCase: true);
    options.ZarrVersion = parse.GetValue(zarrVersion);
    options.Durability = parse.GetValue(durable) ? Durability.Journal : Durability.None;
    options.ActorConfigFile ??= Path.Combine(AppContext.BaseDirectory, "store.conf");
    var validation = new StoreOptionsValidator().Validate(null, options);
    if (mistakes.Count > 0 || validation.Failed)
    {
        Console.Error.WriteLine(string.Join("; ", [.. mistakes, .. validation.Failures ?? []]));
        return 2;
    }

    var settings = new SimulationSettings(parse.GetValue(runs), parse.GetValue(frames), parse.GetValue(atoms), parse.GetValue(seed), parse.GetValue(flushEvery));
    await using var runtime = StoreRuntime.Start(options, NullLogger.Instance);
    var job = new SimulationJob(runtime.Arrays, runtime.Tables, settings);
    var starts = await job.PrepareAsync(resuming);
    var started = DateTime.UtcNow;
    var running = job.RunAsync(starts, cancellationToken);
    await Report.ProgressAsync(job, settings, running);
    var summaries = await running;
    await runtime.DisposeAsync();
    Report.Summary(summaries, settings, options, DateTime.UtcNow - started);
    return 0;
});

// Ctrl+C / SIGTERM cancel the runs; give them time to finish their frame and flush.
return await command.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(1) });
