using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Store.Core.Tests;

namespace Store.Benchmarks;

/// <summary>
/// Issue 15, the cluster benchmark with latencies:
/// <c>cluster-append [reps] [frames] [rows] [sides] [--no-pooling] [--warm-up N]</c> runs every side of
/// <see cref="ClusterAppendKind"/> (or the comma-separated <c>sides</c>) once per rep, interleaved in
/// one process (the order rotates from rep to rep), after warm-up rounds that are not counted
/// (full passes of every side until the runtime's compiler has little left to do while they append,
/// at most N, 8 by default; see <see cref="WarmUpRounds"/>). Each side is started fresh on a new
/// PostgreSQL database and temporary folder and closed before the next starts. Per side it measures eight producers appending <c>frames</c> (1000, 3)
/// float32 frames each (default 200), then <c>rows</c> 1-row table appends each (default 1000), and
/// prints a Markdown table of the medians over the reps: frames/s, appends/s, p50 and p99 of the
/// time from each call to its acknowledgement, and the ratios to the single-node SQLite and
/// PostgreSQL sides (medians of each rep's ratio). Each rep's line also shows the cores this process
/// used, the share of the phase spent in GC pauses and the seconds of JIT compilation (the
/// PostgreSQL server's own processes are not counted). BenchmarkDotNet reports times per operation, not per append, hence a command of its
/// own; <see cref="ClusterAppendBenchmarks"/> measures the same throughput under BenchmarkDotNet.
/// </summary>
public static class ClusterAppendReport
{
    /// <summary>The command's name (the first argument).</summary>
    public const string Command = "cluster-append";

    private const string NoPooling = "--no-pooling";

    private const string WarmUp = "--warm-up";

    // A warm-up round whose appends ran with less compilation than this (all sides together) ends the warm-up.
    private const double SteadyJitMilliseconds = 100;

    /// <summary>Whether <paramref name="command"/> (the first argument) is this class's command.</summary>
    public static bool Handles(string command) => command == Command;

    /// <summary>Runs the command in <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        // --no-pooling: the PostgreSQL journal opens a connection per write, as the tests' connection strings make it.
        var pooling = !args.Contains(NoPooling);
        args = [.. args.Where(a => a != NoPooling)];
        var warmUpRounds = 8;
        if (Array.IndexOf(args, WarmUp) is var w and >= 0)
        {
            warmUpRounds = int.Parse(args[w + 1], CultureInfo.InvariantCulture);
            args = [.. args[..w], .. args[(w + 2)..]];
        }

        var reps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var frames = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
        var rows = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1000;
        var kinds = args.Length > 4 ? [.. args[4].Split(',').Select(Enum.Parse<ClusterAppendKind>)] : Enum.GetValues<ClusterAppendKind>();
        Console.WriteLine(
            $"Cluster appends (issue 15): {reps} rep(s) of {string.Join(", ", kinds)}; {ClusterAppendSide.Producers} producers × {frames} frames (1000, 3) float32, " +
            $"then × {rows} 1-row table appends, window {ClusterAppendSide.Window}; PostgreSQL connections {(pooling ? "pooled" : "not pooled")}; " +
            $"{Environment.ProcessorCount} cores, load average {LoadAverage()}.");

        var results = new List<Result>();
        var postgres = PostgresServer.Start();
        try
        {
            // Not counted: full passes of every side until the compiler has little left to do while they
            // append (remoting, sharding and the journal bring much code of their own to compile).
            await WarmUpRounds.RunAsync(warmUpRounds, SteadyJitMilliseconds, async () =>
            {
                var appending = 0.0;
                foreach (var kind in kinds)
                {
                    var result = await MeasureAsync(kind, -1, frames, rows, postgres, pooling).ConfigureAwait(false);
                    appending += (result.Frames.JitSeconds + result.Rows.JitSeconds) * 1000;
                }

                return appending;
            }).ConfigureAwait(false);

            for (var rep = 0; rep < reps; rep++)
            {
                for (var k = 0; k < kinds.Length; k++)
                {
                    var result = await MeasureAsync(kinds[(k + rep) % kinds.Length], rep, frames, rows, postgres, pooling).ConfigureAwait(false);
                    results.Add(result);
                    Console.WriteLine(
                        $"  rep {rep + 1} {result.Kind,-16} frames {Line(result.Frames)} | rows {Line(result.Rows)} | " +
                        $"start {F(result.StartSeconds, 1)} s, close {F(result.CloseSeconds, 1)} s | {result.Placement}");
                }
            }
        }
        finally
        {
            postgres.Dispose();
        }

        Print(results, kinds, reps);
        Console.WriteLine($"Load average at the end: {LoadAverage()}.");
        return 0;
    }

    private static async Task<Result> MeasureAsync(ClusterAppendKind kind, int rep, int frames, int rows, PostgresServer postgres, bool pooling)
    {
        var clock = Stopwatch.StartNew();
        var journal = kind == ClusterAppendKind.SingleSqlite ? null : postgres.CreateDatabase("bench");
        var side = await ClusterAppendSide.StartAsync(kind, journal, pooling).ConfigureAwait(false);
        var startSeconds = clock.Elapsed.TotalSeconds;
        Phase framePhase, rowPhase;
        string placement;
        try
        {
            framePhase = await MeasurePhaseAsync(ClusterAppendSide.Producers * frames, ticks => side.AppendFramesAsync(frames, ticks)).ConfigureAwait(false);
            rowPhase = await MeasurePhaseAsync(ClusterAppendSide.Producers * rows, ticks => side.AppendRowsAsync(rows, ticks)).ConfigureAwait(false);
            placement = await side.PlacementAsync().ConfigureAwait(false);
        }
        finally
        {
            clock.Restart();
            await side.DisposeAsync().ConfigureAwait(false);
        }

        return new Result(kind, rep, framePhase, rowPhase, startSeconds, clock.Elapsed.TotalSeconds, placement);
    }

    // Appends with latencies recorded, and what the process spent meanwhile: CPU time and GC pauses.
    // A phase of no appends (frames or rows set to 0) measures nothing: its figures print as "–".
    private static async Task<Phase> MeasurePhaseAsync(int appends, Func<long[], Task> run)
    {
        if (appends == 0)
        {
            return new Phase(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var ticks = new long[appends];
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var paused = GC.GetTotalPauseDuration();
        var jit = JitInfo.GetCompilationTime();
        var clock = Stopwatch.StartNew();
        await run(ticks).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new Phase(
            appends / seconds, Percentile(ticks, 0.50), Percentile(ticks, 0.99),
            (process.TotalProcessorTime - cpu).TotalSeconds / seconds, (GC.GetTotalPauseDuration() - paused).TotalSeconds / seconds,
            (JitInfo.GetCompilationTime() - jit).TotalSeconds);
    }

    private static void Print(List<Result> results, ClusterAppendKind[] kinds, int reps)
    {
        // Each rep's ratio to a baseline of the same rep, then the median over the reps.
        string Ratio(ClusterAppendKind kind, ClusterAppendKind baseline, Func<Result, double> value)
        {
            var ratios = Enumerable.Range(0, reps)
                .Select(rep => (Side: results.Find(r => r.Kind == kind && r.Rep == rep), Base: results.Find(r => r.Kind == baseline && r.Rep == rep)))
                .Where(p => p.Side is not null && p.Base is not null)
                .Select(p => value(p.Side!) / value(p.Base!))
                .ToList();
            return ratios.Count == 0 ? "–" : F(Median(ratios), 2);
        }

        Console.WriteLine();
        Console.WriteLine($"Medians of {reps} rep(s); latency: from each append's call to its acknowledgement (journaled), up to {ClusterAppendSide.Window} in flight per producer.");
        Console.WriteLine("Ratios: each rep's side over the baseline in the same rep, median over the reps.");
        Console.WriteLine();
        Console.WriteLine("| side | frames/s | frame p50 ms | frame p99 ms | appends/s | append p50 ms | append p99 ms | frames/s vs SQLite | appends/s vs SQLite | frames/s vs PostgreSQL | appends/s vs PostgreSQL |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var kind in kinds)
        {
            var mine = results.Where(r => r.Kind == kind).ToList();
            string Med(Func<Result, double> value, int digits) => F(Median([.. mine.Select(value)]), digits);
            Console.WriteLine(
                $"| {kind} | {Med(r => r.Frames.PerSecond, 0)} | {Med(r => r.Frames.P50, 1)} | {Med(r => r.Frames.P99, 1)} | " +
                $"{Med(r => r.Rows.PerSecond, 0)} | {Med(r => r.Rows.P50, 1)} | {Med(r => r.Rows.P99, 1)} | " +
                $"{Ratio(kind, ClusterAppendKind.SingleSqlite, r => r.Frames.PerSecond)} | {Ratio(kind, ClusterAppendKind.SingleSqlite, r => r.Rows.PerSecond)} | " +
                $"{Ratio(kind, ClusterAppendKind.SinglePostgres, r => r.Frames.PerSecond)} | {Ratio(kind, ClusterAppendKind.SinglePostgres, r => r.Rows.PerSecond)} |");
        }

        Console.WriteLine();
    }

    private static string Line(Phase phase) =>
        $"{F(phase.PerSecond, 0),7}/s p50 {F(phase.P50, 1),6} ms p99 {F(phase.P99, 1),6} ms cpu {F(phase.Cores, 2)} gc {F(phase.GcShare * 100, 0)}% jit {F(phase.JitSeconds, 2)} s";

    // Nearest rank, in milliseconds.
    private static double Percentile(long[] ticks, double p)
    {
        var sorted = ticks.Order().ToArray();
        var index = Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index] * 1000.0 / Stopwatch.Frequency;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string F(double value, int digits) => double.IsNaN(value) ? "–" : value.ToString(digits == 0 ? "N0" : $"F{digits}", CultureInfo.InvariantCulture);

    // The machine's 1-minute load average (Linux), to tell a quiet run from a busy one.
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    // One phase: appends/s, latency percentiles (ms), cores this process used, share of the time in GC pauses, seconds of JIT compilation.
    private sealed record Phase(double PerSecond, double P50, double P99, double Cores, double GcShare, double JitSeconds);

    private sealed record Result(ClusterAppendKind Kind, int Rep, Phase Frames, Phase Rows, double StartSeconds, double CloseSeconds, string Placement);
}
