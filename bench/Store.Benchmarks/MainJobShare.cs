using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Simulation;
using Store.Actors;
using Store.Core;
using Store.Hosting;

namespace Store.Benchmarks;

/// <summary>
/// Issue 16, item 3 ("the main job pays little for storing"):
/// <c>main-job-share [reps] [--runs N] [--frames N] [--atoms N] [--flush-every N] [--seed N] [--warm-up N] [--sides a,b,...]</c>
/// runs the Simulation sample's runs in this process, once per side and rep: its physics alone
/// (<see cref="SimulationJob.StartRun"/> and <see cref="LennardJones.Step"/> on one thread per run, the
/// energies computed, nothing stored), and the same runs through the store by <see cref="SimulationJob"/>
/// with the sample's defaults (Zarr v3 arrays, Parquet tables, no journal) and with its
/// <c>--durable</c> (SQLite journal); <c>--sides</c> can add <c>memory</c>, both stores without files. The sides of a rep run one after another, their order rotating
/// from rep to rep, after warm-up rounds that are not counted (until the runtime's compiler has
/// little left to do; <c>--warm-up N</c> caps them); each store side opens a fresh
/// temporary folder (deleted afterwards) and its wall time runs from opening the store to closing it.
/// The store's share of a side is (its wall time - the physics side's) / its wall time, in the same
/// rep; the Markdown tables give every rep's figures and the medians over the reps, against the
/// issue's targets (10% at the defaults, 25% with <c>--durable</c>).
/// </summary>
public static class MainJobShare
{
    /// <summary>The command's name (the first argument).</summary>
    public const string Command = "main-job-share";

    // A warm-up round that compiled for less than this (all sides together) ends the warm-up.
    private const double SteadyJitMilliseconds = 100;

    /// <summary>Whether <paramref name="command"/> (the first argument) is this class's command.</summary>
    public static bool Handles(string command) => command == Command;

    /// <summary>Runs the command in <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        // The sample's defaults (runs 4, atoms 256, seed 42, flush every 100 frames) except the frames:
        // 300 instead of 1000 keeps a side to a few seconds on two cores, so more reps fit in a run.
        var reps = 5;
        int runs = 4, frames = 300, atoms = 256, seed = 42, flushEvery = 100, warmUpRounds = 16;
        Side[] sides = [Side.Physics, Side.Store, Side.Durable];
        for (var i = 1; i < args.Length; i++)
        {
            int Next() => int.Parse(args[++i], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--runs": runs = Next(); break;
                case "--frames": frames = Next(); break;
                case "--atoms": atoms = Next(); break;
                case "--seed": seed = Next(); break;
                case "--flush-every": flushEvery = Next(); break;
                case "--warm-up": warmUpRounds = Next(); break;
                case "--sides": sides = [.. args[++i].Split(',').Select(s => Enum.Parse<Side>(s, ignoreCase: true))]; break;
                case var number when i == 1 && int.TryParse(number, CultureInfo.InvariantCulture, out var r): reps = r; break;
                default:
                    Console.Error.WriteLine($"{Command}: unknown argument '{args[i]}'; usage: {Command} [reps] [--runs N] [--frames N] [--atoms N] [--flush-every N] [--seed N] [--warm-up N] [--sides physics,store,durable,memory,rawjournal]");
                    return 2;
            }
        }

        if (!sides.Contains(Side.Physics))
        {
            sides = [Side.Physics, .. sides];  // every share is against it
        }

        var settings = new SimulationSettings(runs, frames, atoms, seed, flushEvery);
        Console.WriteLine(
            $"The main job's share (issue 16): {reps} rep(s) of {string.Join(", ", sides.Select(Name))}; the Simulation sample's " +
            $"{runs} runs × {frames} frames × {atoms} atoms, {settings.StepsPerFrame} steps per frame, flush every {flushEvery} frames, seed {seed}; " +
            $"{Environment.ProcessorCount} cores, load average {LoadAverage()}.");

        // Not counted: passes of every side until the runtime's compiler has little left to do (see
        // WarmUpRounds), so that the reps measure storing, not the runtime's warm-up.
        await WarmUpRounds.RunAsync(warmUpRounds, SteadyJitMilliseconds, async () =>
        {
            foreach (var side in sides)
            {
                await MeasureAsync(side, settings).ConfigureAwait(false);
            }

            return null;
        }).ConfigureAwait(false);

        var results = new List<Result>();
        for (var rep = 0; rep < reps; rep++)
        {
            for (var s = 0; s < sides.Length; s++)
            {
                var side = sides[(s + rep) % sides.Length];
                var load = LoadAverage();
                var measured = await MeasureAsync(side, settings).ConfigureAwait(false);
                var result = measured with { Rep = rep };
                results.Add(result);
                Console.WriteLine(
                    $"  rep {rep + 1} {Name(side),-8} load {load,5} | wall {F(result.Wall, 2)} s (open {F(result.Open, 2)}, run {F(result.Running, 2)}, close {F(result.Close, 2)}) | " +
                    $"cpu {F(result.Cpu, 2)} s ({F(result.Cpu / result.Wall, 2)} cores, kernel {F(result.Kernel, 2)} s), gc {F(result.GcShare * 100, 1)}% | " +
                    $"flushing {F(result.FlushShare * 100, 1)}% | written {F(result.Written, 1)} MB, left {F(result.Megabytes, 1)} MB");
            }
        }

        Print(results, sides, reps, settings);
        Console.WriteLine($"Load average at the end: {LoadAverage()}.");
        return 0;
    }

    // One side in a fresh temporary folder, deleted afterwards (outside the measurement).
    private static async Task<Result> MeasureAsync(Side side, SimulationSettings settings)
    {
        var folder = Frames.TempRoot($"main-job-{Name(side)}-{Guid.NewGuid():N}");
        try
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var kernel = process.PrivilegedProcessorTime;
            var paused = GC.GetTotalPauseDuration();
            var written = WrittenBytes();
            var jit = JitInfo.GetCompilationTime();
            var (open, running, close, flushShare) = side switch
            {
                Side.Physics => (0, await PhysicsAloneAsync(settings).ConfigureAwait(false), 0, 0),
                Side.RawJournal => await ThroughRawJournalAsync(settings, folder).ConfigureAwait(false),
                _ => await ThroughStoreAsync(side, settings, folder).ConfigureAwait(false),
            };
            var wall = open + running + close;
            process.Refresh();
            var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            var kernelSeconds = (process.PrivilegedProcessorTime - kernel).TotalSeconds;
            var gcShare = (GC.GetTotalPauseDuration() - paused).TotalSeconds / wall;
            var writtenMegabytes = (WrittenBytes() - written) / 1e6;
            var jitSeconds = (JitInfo.GetCompilationTime() - jit).TotalSeconds;
            var left = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;  // physics and memory write none
            return new Result(side, -1, wall, open, running, close, cpuSeconds, kernelSeconds, gcShare, jitSeconds, flushShare, writtenMegabytes, left / 1e6);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    // The job's physics without the store: as SimulationJob runs it (one long-running task per run,
    // frame 0 the initial state, every later frame StepsPerFrame steps on), energies included.
    private static async Task<double> PhysicsAloneAsync(SimulationSettings settings)
    {
        var clock = Stopwatch.StartNew();
        var runs = settings.RunNumbers.Select(run => Task.Factory.StartNew(
            () =>
            {
                var system = SimulationJob.StartRun(settings, run);
                var total = 0.0;
                for (var frame = 0L; frame < settings.Frames; frame++)
                {
                    if (frame > 0)
                    {
                        system.Step(settings.StepsPerFrame);
                    }

                    total += system.Potential + system.Kinetic;
                }

                return total;
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        var energies = await Task.WhenAll(runs).ConfigureAwait(false);
        if (energies.Any(double.IsNaN))
        {
            throw new InvalidOperationException("The physics diverged (NaN energy).");
        }

        return clock.Elapsed.TotalSeconds;
    }

    // The physics as PhysicsAloneAsync runs it, each frame's coordinates, velocities and energies
    // (copied out, as the store copies them) appended to a RawSqliteJournal; each run keeps as many
    // frames unacknowledged as SimulationJob does and waits for the oldest beyond that. No files.
    private static async Task<(double Open, double Running, double Close, double FlushShare)> ThroughRawJournalAsync(SimulationSettings settings, string folder)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(folder);
        var journal = new RawSqliteJournal(Path.Combine(folder, "journal.db"));
        var open = clock.Elapsed.TotalSeconds;
        try
        {
            var framesInFlight = SimulationJob.FramesInFlight(settings.Atoms);
            var runs = settings.RunNumbers.Select(run => Task.Factory.StartNew(
                () =>
                {
                    var system = SimulationJob.StartRun(settings, run);
                    var inFlight = new Queue<Task>();
                    for (var frame = 0L; frame < settings.Frames; frame++)
                    {
                        if (frame > 0)
                        {
                            system.Step(settings.StepsPerFrame);
                        }

                        var energies = new double[] { run, frame, system.Potential, system.Kinetic, system.Potential + system.Kinetic };
                        inFlight.Enqueue(journal.AppendAsync(
                            MemoryMarshal.AsBytes(system.Positions.AsSpan()).ToArray(),
                            MemoryMarshal.AsBytes(system.Velocities.AsSpan()).ToArray(),
                            MemoryMarshal.AsBytes(energies.AsSpan()).ToArray()));
                        while (inFlight.Count > framesInFlight)
                        {
                            inFlight.Dequeue().GetAwaiter().GetResult();
                        }
                    }

                    Task.WaitAll(inFlight);
                },
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            await Task.WhenAll(runs).ConfigureAwait(false);
            var running = clock.Elapsed.TotalSeconds - open;
            clock.Restart();
            journal.Dispose();
            return (open, running, clock.Elapsed.TotalSeconds, 0);
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    // The sample's run on a new output (Program.cs without --resume): open the store, PrepareAsync,
    // RunAsync (its last flush included), close. Returns seconds for each part and the share of the
    // runs' time a flush of theirs was under way (the sample's own flush timings; runs compute beside their flushes).
    private static async Task<(double Open, double Running, double Close, double FlushShare)> ThroughStoreAsync(Side side, SimulationSettings settings, string folder)
    {
        var clock = Stopwatch.StartNew();
        var runtime = StoreRuntime.Start(SampleOptions(folder, side), NullLogger.Instance);
        double open, running;
        IReadOnlyList<RunSummary> summaries;
        try
        {
            open = clock.Elapsed.TotalSeconds;
            var job = new SimulationJob(runtime.Arrays, runtime.Tables, settings);
            var starts = await job.PrepareAsync(resume: false).ConfigureAwait(false);
            summaries = await job.RunAsync(starts).ConfigureAwait(false);
            running = clock.Elapsed.TotalSeconds - open;
        }
        finally
        {
            clock.Restart();
            await runtime.DisposeAsync().ConfigureAwait(false);
        }

        var close = clock.Elapsed.TotalSeconds;
        var stored = summaries.Sum(r => r.Frames);
        if (stored != (long)settings.Runs * settings.Frames)
        {
            throw new InvalidOperationException($"{Name(side)}: {stored} frames stored, expected {settings.Runs * settings.Frames}.");
        }

        var flushSeconds = summaries.Sum(r => r.Flushes * r.MeanFlushMs) / 1000;
        return (open, running, close, flushSeconds / summaries.Sum(r => r.Seconds));
    }

    // What samples/Simulation/Program.cs sets for a new output: the Store section of the
    // appsettings.json copied next to it (here, next to the benchmark), Zarr and Parquet, mode w, the
    // journal with --durable, config/store.conf. The memory side keeps both stores in memory instead.
    private static StoreOptions SampleOptions(string root, Side side)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .Build();
        var options = new StoreOptions();
        var mistakes = StoreConfiguration.Bind(configuration.GetSection(StoreOptions.Section), options);
        options.Root = root;
        options.Mode = "w";
        options.ArrayFormat = side == Side.Memory ? DiskFormat.None : DiskFormat.Zarr;
        options.TableFormat = side == Side.Memory ? DiskFormat.None : DiskFormat.Parquet;
        options.Durability = side == Side.Durable ? Durability.Journal : Durability.None;
        options.ActorConfigFile ??= Path.Combine(AppContext.BaseDirectory, "store.conf");
        var validation = new StoreOptionsValidator().Validate(null, options);
        if (mistakes.Count > 0 || validation.Failed)
        {
            throw new InvalidOperationException(string.Join("; ", [.. mistakes, .. validation.Failures ?? []]));
        }

        return options;
    }

    private static void Print(List<Result> results, Side[] sides, int reps, SimulationSettings settings)
    {
        // A store side's share in one rep: its wall time less the physics side's of the same rep, over its wall time.
        double? Share(Result result, Func<Result, double> time)
        {
            var physics = results.Find(r => r.Side == Side.Physics && r.Rep == result.Rep);
            return result.Side == Side.Physics || physics is null ? null : (time(result) - physics.Wall) / time(result);
        }

        string Percent(double? share) => share is { } s ? $"{F(s * 100, 1)}%" : "–";

        Console.WriteLine();
        Console.WriteLine(
            $"Every rep ({settings.Runs} runs × {settings.Frames} frames × {settings.Atoms} atoms). Wall: open + run + close; " +
            "share: (wall - physics' wall) / wall, in the same rep; run share: the same over the run alone (the sample's own elapsed time), without opening and closing the store.");
        Console.WriteLine();
        Console.WriteLine("| rep | side | wall s | open s | run s | close s | share | run share | cpu s | kernel s | gc pauses | jit s | flushing | MB written | MB left |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results.OrderBy(r => r.Rep).ThenBy(r => Array.IndexOf(sides, r.Side)))
        {
            Console.WriteLine(
                $"| {r.Rep + 1} | {Name(r.Side)} | {F(r.Wall, 2)} | {F(r.Open, 2)} | {F(r.Running, 2)} | {F(r.Close, 2)} | " +
                $"{Percent(Share(r, x => x.Wall))} | {Percent(Share(r, x => x.Running))} | {F(r.Cpu, 2)} | {F(r.Kernel, 2)} | {F(r.GcShare * 100, 1)}% | {F(r.Jit, 2)} | " +
                $"{(r.Side == Side.Physics ? "–" : $"{F(r.FlushShare * 100, 1)}%")} | {F(r.Written, 1)} | {(r.Side == Side.Physics ? "–" : F(r.Megabytes, 1))} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Medians of {reps} rep(s) (shares: the median of the reps' shares).");
        Console.WriteLine();
        Console.WriteLine("| side | wall s | run s | frames/s | share | run share | target | met | cpu s | kernel s | gc pauses | jit s | flushing | MB written |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var side in sides)
        {
            var mine = results.Where(r => r.Side == side).ToList();
            double Med(Func<Result, double> value) => Median([.. mine.Select(value)]);
            var share = side == Side.Physics ? (double?)null : Median([.. mine.Select(r => Share(r, x => x.Wall)!.Value)]);
            var runShare = side == Side.Physics ? (double?)null : Median([.. mine.Select(r => Share(r, x => x.Running)!.Value)]);
            var target = Target(side);
            Console.WriteLine(
                $"| {Name(side)} | {F(Med(r => r.Wall), 2)} | {F(Med(r => r.Running), 2)} | {F((double)settings.Runs * settings.Frames / Med(r => r.Wall), 0)} | " +
                $"{Percent(share)} | {Percent(runShare)} | {(target is { } t ? $"<= {F(t * 100, 0)}%" : "–")} | " +
                $"{(target is { } goal && share is { } s ? (s <= goal ? "yes" : "**no**") : "–")} | {F(Med(r => r.Cpu), 2)} | {F(Med(r => r.Kernel), 2)} | {F(Med(r => r.GcShare) * 100, 1)}% | {F(Med(r => r.Jit), 2)} | " +
                $"{(side == Side.Physics ? "–" : $"{F(Med(r => r.FlushShare) * 100, 1)}%")} | {F(Med(r => r.Written), 1)} |");
        }

        Console.WriteLine();
    }

    // The issue's targets: the store's share of the main job's wall time.
    private static double? Target(Side side) => side switch
    {
        Side.Store => 0.10,
        Side.Durable => 0.25,
        _ => null,
    };

    private static string Name(Side side) => side.ToString().ToLowerInvariant();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string F(double value, int digits) => value.ToString(digits == 0 ? "N0" : $"F{digits}", CultureInfo.InvariantCulture);

    // Bytes this process has passed to write calls so far (Linux /proc/self/io wchar: files, journal, console), or 0.
    private static long WrittenBytes()
    {
        const string io = "/proc/self/io";
        var line = File.Exists(io) ? File.ReadLines(io).FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal)) : null;
        return line is null ? 0 : long.Parse(line["wchar:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    // The machine's 1-minute load average (Linux), to tell a quiet run from a busy one.
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>What a pass runs: the physics alone, or the sample writing through the store.</summary>
    private enum Side
    {
        /// <summary>The runs' physics and energies, nothing stored.</summary>
        Physics,

        /// <summary>The sample's defaults: Zarr v3 arrays, Parquet tables, no journal.</summary>
        Store,

        /// <summary>The sample's <c>--durable</c>: the same with every append journaled (SQLite) before it is acknowledged.</summary>
        Durable,

        /// <summary>Not run unless asked for: both stores in memory (no files, no journal), the actors' and buffers' part alone.</summary>
        Memory,

        /// <summary>
        /// Not run unless asked for: no store; each frame's three payloads committed by <see cref="RawSqliteJournal"/>
        /// (one writer, group commits, every commit synced): what the least journal of the same appends costs the job.
        /// </summary>
        RawJournal,
    }

    // One side of one rep: seconds (wall = open + run + close for the store sides), CPU seconds this
    // process used (all of it, and in the kernel), share of the wall time in GC pauses, share of the
    // seconds the runtime spent compiling methods (on any thread), share of the
    // runs' time a flush of theirs was under way, MB passed to write calls, MB the output folder holds at the end.
    private sealed record Result(
        Side Side, int Rep, double Wall, double Open, double Running, double Close, double Cpu, double Kernel, double GcShare, double Jit, double FlushShare, double Written, double Megabytes);
}
