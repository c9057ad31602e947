// The main job: several Lennard-Jones runs in parallel threads, writing trajectories and energies
// through the store. See README ("Run it") and `dotnet run --project samples/Simulation -- --help`.
using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Simulation;
using Spectre.Console;
using Store.Actors;
using Store.Core;
using Store.Core.Storage;
using Store.Hosting;

// Ctrl+C / SIGTERM stop the runs after their frame; the stores are flushed and the process exits 130 / 143.
using var stopping = new CancellationTokenSource();
var stoppedBy = default(PosixSignal?);
void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stoppedBy ??= signal.Signal;
    stopping.Cancel();
}

using var onSigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onSigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var output = new Option<DirectoryInfo>("--out") { Description = "Output folder: arrays in DIR/arrays, tables in DIR/tables.", Required = true };
var runs = new Option<int>("--runs") { Description = "Independent runs, each on its own thread.", DefaultValueFactory = _ => 4 };
var firstRun = new Option<int>("--first-run") { Description = "Number of the first run (runs first-run .. first-run + runs - 1): processes sharing one output, say cluster nodes, take a range each.", DefaultValueFactory = _ => 0 };
var frames = new Option<int>("--frames") { Description = "Frames per run (frame 0 is the initial state).", DefaultValueFactory = _ => 1000 };
var atoms = new Option<int>("--atoms") { Description = "Atoms per run.", DefaultValueFactory = _ => 256 };
var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same data in every format.", DefaultValueFactory = _ => 42 };
var arrayFormat = new Option<string?>("--array-format") { Description = "npy, npz or zarr (new output: zarr; --resume: what the output holds)." };
arrayFormat.AcceptOnlyFromAmong("npy", "npz", "zarr");
var zarrVersion = new Option<int?>("--zarr-version") { Description = "Zarr format version, 2 or 3 (new output: 3; --resume: what the output holds)." };
zarrVersion.AcceptOnlyFromAmong("2", "3");
var tableFormat = new Option<string?>("--table-format") { Description = "parquet, csv, ipc or json (new output: parquet; --resume: what the output holds)." };
tableFormat.AcceptOnlyFromAmong("parquet", "csv", "ipc", "json");
var durable = new Option<bool>("--durable") { Description = "Journal every append before it is acknowledged (survives a crash)." };
var flushEvery = new Option<int>("--flush-every") { Description = "Flush every N frames of a run.", DefaultValueFactory = _ => 100 };
var resume = new Option<bool>("--resume") { Description = "Continue an existing output from each run's last stored frame." };
var serve = new Option<bool>("--serve-until-stopped") { Description = "After the runs, keep serving as a store node of the cluster (Store:Cluster) until SIGTERM or Ctrl+C, then close." };

var command = new RootCommand("Lennard-Jones molecular dynamics written through the store.")
{
    output, runs, firstRun, frames, atoms, seed, arrayFormat, zarrVersion, tableFormat, durable, flushEvery, resume, serve,
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
firstRun.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() is < 0 or > 1_000_000)
    {
        result.AddError($"--first-run must be 0 to 1000000; found {result.GetValueOrDefault<int>()}.");
    }
});
command.SetAction(async parse =>
{
    var cancellationToken = stopping.Token;
    var root = parse.GetValue(output)!.FullName;
    var resuming = parse.GetValue(resume);
    if (resuming && !Directory.Exists(root))
    {
        Console.Error.WriteLine($"--resume: '{root}' does not exist; run once without --resume to create it.");
        return 2;
    }

    // The Store section of appsettings.json (next to the program), then environment variables
    // (Store__Cluster__Enabled=true, ...), then the command line.
    var configuration = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();
    var options = new StoreOptions();
    var mistakes = StoreConfiguration.Bind(configuration.GetSection(StoreOptions.Section), options);
    options.Root = root;
    // A new output starts empty, except on a cluster: its nodes write one output together (mode a creates it).
    options.Mode = resuming || options.Cluster.Enabled ? "a" : "w";
    var askedArrays = parse.GetValue(arrayFormat) is { } a ? Enum.Parse<DiskFormat>(a, ignoreCase: true) : (DiskFormat?)null;
    var askedTables = parse.GetValue(tableFormat) is { } t ? Enum.Parse<DiskFormat>(t, ignoreCase: true) : (DiskFormat?)null;
    var askedVersion = parse.GetValue(zarrVersion);
    if (resuming && Contradiction(options, askedArrays, askedTables, askedVersion) is { } problem)
    {
        Console.Error.WriteLine($"--resume: {problem}");
        return 2;
    }

    // A new output gets the defaults (zarr v3, parquet); a resumed one keeps what its manifests record.
    options.ArrayFormat = askedArrays ?? (resuming ? null : DiskFormat.Zarr);
    options.TableFormat = askedTables ?? (resuming ? null : DiskFormat.Parquet);
    options.ZarrVersion = askedVersion;
    options.Durability = parse.GetValue(durable) ? Durability.Journal : Durability.None;
    options.ActorConfigFile ??= Path.Combine(AppContext.BaseDirectory, "store.conf");
    var validation = new StoreOptionsValidator().Validate(null, options);
    if (mistakes.Count > 0 || validation.Failed)
    {
        Console.Error.WriteLine(string.Join("; ", [.. mistakes, .. validation.Failures ?? []]));
        return 2;
    }

    var settings = new SimulationSettings(parse.GetValue(runs), parse.GetValue(frames), parse.GetValue(atoms), parse.GetValue(seed), parse.GetValue(flushEvery), FirstRun: parse.GetValue(firstRun));
    StoreRuntime started;
    try
    {
        started = StoreRuntime.Start(options, NullLogger.Instance);
    }
    catch (StoreLockedException e)
    {
        Console.Error.WriteLine($"'{root}' is being written by another run: {e.Message}");
        return 2;
    }

    await using var runtime = started;
    if (options.Cluster.Enabled)
    {
        Console.WriteLine($"Cluster node {options.Cluster.Hostname}:{options.Cluster.Port}: waiting for {options.Cluster.MinimumMembers} member(s) to be up.");
        try
        {
            await runtime.WhenUpAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Interrupted while waiting for the cluster: no run started.");
            return stoppedBy == PosixSignal.SIGTERM ? 143 : 130;
        }
    }

    var job = new SimulationJob(runtime.Arrays, runtime.Tables, settings);
    var starts = await job.PrepareAsync(resuming);
    var began = DateTime.UtcNow;
    var running = job.RunAsync(starts, cancellationToken);
    await Report.ProgressAsync(job, settings, running);
    var summaries = await running;
    var elapsed = DateTime.UtcNow - began;
    var interrupted = cancellationToken.IsCancellationRequested;
    if (!interrupted && parse.GetValue(serve) && options.Cluster.Enabled)
    {
        // The other nodes' runs may still write paths this node holds: it leaves when told to, so
        // nodes leave one at a time instead of all at once as their runs end.
        Console.WriteLine($"Runs done ({summaries.Sum(r => r.Frames)} frames); serving as a store node until SIGTERM or Ctrl+C.");
        await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    await runtime.DisposeAsync();
    Report.Summary(summaries, settings, runtime, elapsed);
    if (!interrupted)
    {
        return 0;
    }

    // Stopped by Ctrl+C or SIGTERM: every run ended after a whole frame and the stores were flushed.
    var resumeCommand = $"dotnet run --project samples/Simulation -- --out \"{root}\" --resume --runs {settings.Runs}{(settings.FirstRun > 0 ? $" --first-run {settings.FirstRun}" : "")} --frames {settings.Frames} " +
                        $"--atoms {settings.Atoms} --seed {settings.Seed} --flush-every {settings.FlushEvery}{(parse.GetValue(durable) ? " --durable" : "")}";
    var terminated = stoppedBy == PosixSignal.SIGTERM;
    Console.Error.WriteLine($"Interrupted ({(terminated ? "SIGTERM" : "Ctrl+C")}): {summaries.Sum(r => r.Frames)} frames were stored and flushed; the runs are not complete.");
    Console.Error.WriteLine($"Continue them with: {resumeCommand}");
    return terminated ? 143 : 130;
});

// The signals are handled above, not by System.CommandLine.
return await command.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

// What a resumed output holds that the flags contradict (its manifests), or null.
static string? Contradiction(StoreOptions options, DiskFormat? arrays, DiskFormat? tables, int? zarrVersion)
{
    var heldArrays = RootManifest.Read(options.ArrayRoot);
    var heldTables = RootManifest.Read(options.TableRoot);
    var problems = new List<string>();
    if (arrays is { } a && heldArrays is { } ha && ha.Format != a)
    {
        problems.Add($"{options.ArrayRoot} holds {ha.Format.ToString().ToLowerInvariant()} arrays, not {a.ToString().ToLowerInvariant()}: drop --array-format or pass --array-format {ha.Format.ToString().ToLowerInvariant()}.");
    }

    if (zarrVersion is { } v && heldArrays?.Zarr?.Version is { } hv && hv != v)
    {
        problems.Add($"{options.ArrayRoot} holds Zarr v{hv} arrays, not v{v}: drop --zarr-version or pass --zarr-version {hv}.");
    }

    if (tables is { } t && heldTables is { } ht && ht.Format != t)
    {
        problems.Add($"{options.TableRoot} holds {ht.Format.ToString().ToLowerInvariant()} tables, not {t.ToString().ToLowerInvariant()}: drop --table-format or pass --table-format {ht.Format.ToString().ToLowerInvariant()}.");
    }

    return problems.Count == 0 ? null : string.Join(" ", problems);
}
