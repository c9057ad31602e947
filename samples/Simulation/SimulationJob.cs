using System.Collections.Concurrent;
using System.Diagnostics;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Simulation;

/// <summary>What to simulate and how often to flush (the command line, parsed): runs <see cref="FirstRun"/> to <see cref="FirstRun"/> + <see cref="Runs"/> - 1.</summary>
public sealed record SimulationSettings(int Runs, int Frames, int Atoms, int Seed, int FlushEvery, int StepsPerFrame = 10, int FirstRun = 0)
{
    /// <summary>The numbers of this job's runs (a run's number picks its path and its random start).</summary>
    public IEnumerable<int> RunNumbers => Enumerable.Range(FirstRun, Runs);
}

/// <summary>How one run went, for the summary.</summary>
public sealed record RunSummary(string RunId, long FirstFrame, long Frames, double Seconds, int Flushes, double MeanFlushMs, double MaxFlushMs, long Bytes);

/// <summary>
/// Runs independent Lennard-Jones runs in parallel threads, each appending its frames to
/// <c>ens0/run{i}/coordinates</c> and <c>ens0/run{i}/velocities</c> (float32, (frames, atoms, 3))
/// and its energies to the shared table <c>energies</c>, flushing every few frames. Resuming
/// first trims every run to the frames all three entries hold, then continues from the last one.
/// </summary>
public sealed class SimulationJob(ArrayActorStore arrays, TableActorStore tables, SimulationSettings settings)
{
    /// <summary>The ensemble every run belongs to.</summary>
    public const string Ensemble = "ens0";

    /// <summary>The shared energies table.</summary>
    public const string Energies = "energies";

    /// <summary>
    /// Bytes of frames a run may have sent and not yet had acknowledged (at most 128 frames, at least
    /// 8): enough that a journaled path writes many appends per journal event and a run rarely
    /// waits for one (with 8 frames in flight, the store's share of a --durable run was 67%, with
    /// 32 57%, with 128 41-43%), bounded so that large systems do not hold many frames in memory.
    /// </summary>
    private const long BytesInFlight = 16 << 20;

    /// <summary>How many frames a run of <paramref name="atoms"/> atoms keeps unacknowledged (see <see cref="BytesInFlight"/>).</summary>
    public static int FramesInFlight(int atoms) => (int)Math.Clamp(BytesInFlight / (2L * atoms * 3 * sizeof(float)), 8, 128);

    /// <summary>Frames done per run, updated as they are stored (for progress displays).</summary>
    public ConcurrentDictionary<string, long> Progress { get; } = new();

    /// <summary>Path of a run's array.</summary>
    public static string ArrayPath(int run, string name) => $"{Ensemble}/run{run}/{name}";

    /// <summary>
    /// Run <paramref name="run"/>'s frame 0: <see cref="SimulationSettings.Atoms"/> atoms from the run's
    /// own random start. Every later frame is the previous one advanced <see cref="SimulationSettings.StepsPerFrame"/>
    /// steps (what the benchmark of the store's share runs without the store, too).
    /// </summary>
    public static LennardJones StartRun(SimulationSettings settings, int run) => LennardJones.Start(settings.Atoms, (settings.Seed * 1000) + run);

    /// <summary>
    /// For each run, the first frame still to compute: 0 for a fresh output; on resume, the number
    /// of frames the coordinates, velocities and energies all hold (anything past it is removed).
    /// </summary>
    public async Task<long[]> PrepareAsync(bool resume)
    {
        var starts = new long[settings.Runs];  // by run number - FirstRun
        if (!resume)
        {
            return starts;
        }

        var table = await tables.ReadAsync(Energies);
        var runIds = table?.Strings("run_id") ?? [];
        foreach (var run in settings.RunNumbers)
        {
            var coordinates = (await arrays.ShapeAsync(ArrayPath(run, "coordinates")))?[0] ?? 0;
            var velocities = (await arrays.ShapeAsync(ArrayPath(run, "velocities")))?[0] ?? 0;
            var runId = $"run{run}";
            var energies = Enumerable.Range(0, runIds.Length).Count(r => runIds[r] == runId);
            var start = starts[run - settings.FirstRun] = Math.Min(Math.Min(coordinates, velocities), energies);
            await TrimArrayAsync(ArrayPath(run, "coordinates"), coordinates, start);
            await TrimArrayAsync(ArrayPath(run, "velocities"), velocities, start);
        }

        // Energies rows past a run's last complete frame go too: the store's filter selects the rest, in order.
        if (table is not null)
        {
            var runs = settings.RunNumbers.ToList();
            var keep = $"run_id not in ({string.Join(", ", runs.Select(r => $"'run{r}'"))}) or " +
                       string.Join(" or ", runs.Select(r => $"(run_id == 'run{r}' and micro_id < {starts[r - settings.FirstRun]})"));
            var kept = (await tables.QueryAsync(Energies, filter: keep))!;
            if (kept.RowCount < table.RowCount)
            {
                await tables.WriteAsync(Energies, kept);
            }
        }

        await arrays.FlushAsync();
        await tables.FlushAsync();
        return starts;
    }

    /// <summary>
    /// Runs every run from its start frame to <see cref="SimulationSettings.Frames"/>, each on its own
    /// thread from start to end: a run waits for the store by blocking that thread, never by
    /// awaiting, so its physics never moves onto the .NET thread pool, where it would hold up the
    /// store's small continuations (and they it). Cancelling (Ctrl+C, SIGTERM) stops every run
    /// after its current frame; what was computed is flushed, and <c>--resume</c> continues from there.
    /// </summary>
    public async Task<IReadOnlyList<RunSummary>> RunAsync(long[] starts, CancellationToken cancellationToken = default)
    {
        var runs = settings.RunNumbers.Select(run =>
            Task.Factory.StartNew(() => RunOne(run, starts[run - settings.FirstRun], cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        var summaries = await Task.WhenAll(runs);
        await arrays.FlushAsync();
        await tables.FlushAsync();
        return summaries;
    }

    private RunSummary RunOne(int run, long start, CancellationToken cancellationToken)
    {
        var runId = $"run{run}";
        Progress[runId] = start;
        var clock = Stopwatch.StartNew();
        var flushTimes = new List<double>();
        var system = start == 0
            ? StartRun(settings, run)
            : ResumeAsync(run, start - 1).GetAwaiter().GetResult();
        var frameBytes = settings.Atoms * 3 * sizeof(float);
        var framesInFlight = FramesInFlight(settings.Atoms);
        // A frame's appends stay in flight while the next frames are computed (they are sent in
        // order, so the store applies them in order, and journaled ones share journal writes); a
        // flush first waits for all of them, then runs beside the next frames, one at a time.
        var inFlight = new Queue<FrameAppends>();
        Task? flushing = null;
        var frame = start;
        for (; frame < settings.Frames && !cancellationToken.IsCancellationRequested; frame++)
        {
            // Frame 0 is the initial state; every later frame is the previous one (on resume, the one read back) advanced.
            if (frame > 0)
            {
                system.Step(settings.StepsPerFrame);
            }

            inFlight.Enqueue(new FrameAppends(
                frame,
                arrays.AppendAsync(ArrayPath(run, "coordinates"), NdArray.From(system.Positions, 1, settings.Atoms, 3)),
                arrays.AppendAsync(ArrayPath(run, "velocities"), NdArray.From(system.Velocities, 1, settings.Atoms, 3)),
                tables.AppendAsync(Energies, EnergyRow(runId, frame, system))));
            var flushes = (frame + 1) % settings.FlushEvery == 0;
            while (inFlight.Count > framesInFlight || (flushes && inFlight.Count > 0))
            {
                var done = inFlight.Dequeue();
                done.Wait();
                Progress[runId] = done.Frame + 1;
            }

            if (flushes)
            {
                flushing?.GetAwaiter().GetResult();
                flushing = TimedFlushAsync(run, flushTimes);
            }
        }

        while (inFlight.TryDequeue(out var last))
        {
            last.Wait();
            Progress[runId] = last.Frame + 1;
        }

        flushing?.GetAwaiter().GetResult();

        var frames = frame - start;
        return new RunSummary(
            runId, start, Math.Max(0, frames), clock.Elapsed.TotalSeconds, flushTimes.Count,
            flushTimes.Count == 0 ? 0 : flushTimes.Average(), flushTimes.Count == 0 ? 0 : flushTimes.Max(),
            Math.Max(0, frames) * ((2L * frameBytes) + (3 * sizeof(double)) + sizeof(long) + 16));
    }

    /// <summary>
    /// A frame's three appends, waited for one by one rather than through <c>Task.WhenAll</c>: the
    /// store completes its tasks with asynchronous continuations, so a <c>WhenAll</c> would cost a
    /// thread-pool hand-off per append, while a task already done when waited for costs nothing.
    /// </summary>
    private readonly record struct FrameAppends(long Frame, Task Coordinates, Task Velocities, Task Energies)
    {
        /// <summary>Blocks until all three are acknowledged; rethrows the first refusal.</summary>
        public void Wait()
        {
            Coordinates.GetAwaiter().GetResult();
            Velocities.GetAwaiter().GetResult();
            Energies.GetAwaiter().GetResult();
        }
    }

    private async Task TimedFlushAsync(int run, List<double> times)
    {
        var clock = Stopwatch.StartNew();
        await FlushRunAsync(run);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    // The run's own arrays and the energies table: each run flushes what it wrote, not the other
    // runs' arrays too (every flush writes and syncs each flushed array's new rows and metadata). An NPZ archive
    // holds every array, so it is written once.
    private Task FlushRunAsync(int run)
    {
        Task flushArrays = arrays.DiskFormat == DiskFormat.Npz
            ? arrays.FlushAsync()
            : Task.WhenAll(arrays.FlushAsync(ArrayPath(run, "coordinates")), arrays.FlushAsync(ArrayPath(run, "velocities")));
        return Task.WhenAll(flushArrays, tables.FlushAsync(Energies));
    }

    private async Task<LennardJones> ResumeAsync(int run, long frame)
    {
        var view = ArrayView.Rows(frame, frame + 1);
        var positions = (await arrays.ReadAsync(ArrayPath(run, "coordinates"), view))!.ToArray<float>();
        var velocities = (await arrays.ReadAsync(ArrayPath(run, "velocities"), view))!.ToArray<float>();
        return LennardJones.Resume(positions, velocities);
    }

    private async Task TrimArrayAsync(string path, long length, long keep)
    {
        if (length > keep)
        {
            await arrays.WriteAsync(path, (await arrays.ReadAsync(path, ArrayView.Rows(0, keep)))!);
        }
    }

    private static Table EnergyRow(string runId, long frame, LennardJones system)
    {
        var potential = system.Potential;
        var kinetic = system.Kinetic;
        return Table.FromColumns(
            ("ens_id", TableColumn.Of([Ensemble])),
            ("run_id", TableColumn.Of([runId])),
            ("micro_id", TableColumn.Of<long>([frame])),
            ("potential", TableColumn.Of<double>([potential])),
            ("kinetic", TableColumn.Of<double>([kinetic])),
            ("total", TableColumn.Of<double>([potential + kinetic])));
    }
}
