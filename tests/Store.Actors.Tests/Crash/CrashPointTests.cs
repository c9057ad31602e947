using Store.Actors.CrashWorker;
using Store.Core.Storage;
using Store.Core.Tests;
using Xunit.Abstractions;

namespace Store.Actors.Tests.Crash;

/// <summary>
/// SQLite-style crash testing: for every format, the crash worker is killed (SIGKILL, from inside,
/// by <see cref="CrashPoint"/>) at each named step of its flush path in turn, on one root that
/// carries over from kill to kill. After each kill the store recovers without an error, holds every
/// acknowledged append exactly once at its range, keeps its schema, and its files open in the
/// format's reference reader.
/// </summary>
public abstract class CrashPointTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// The steps each format's flushes pass, with the hit that is killed (#n: the n-th time the step
    /// is reached; a new root's first atomic replace is its manifest). Steps only a store's first
    /// flush of an entry passes (a whole new file) start from an empty root of their own
    /// (<c>new:</c>); the others share one root from kill to kill.
    /// </summary>
    internal static IReadOnlyList<string> PointsFor(string format) => format switch
    {
        "npy" => [$"new:{CrashPoint.TempWritten}#2", $"new:{CrashPoint.Renamed}#2", $"{CrashPoint.NpyRowsWritten}#2", $"{CrashPoint.JournalFilesFlushed}#3", $"{CrashPoint.JournalTrimmed}#1"],
        "npz" or "parquet" or "ipc" => [$"{CrashPoint.TempWritten}#2", $"{CrashPoint.Renamed}#2", $"{CrashPoint.JournalFilesFlushed}#2", $"{CrashPoint.JournalTrimmed}#1"],
        "csv" or "json" =>
        [
            $"new:{CrashPoint.TextSidecarCommitted}#1", $"{CrashPoint.TempWritten}#2", $"{CrashPoint.Renamed}#2", $"{CrashPoint.TextRowsHalfWritten}#2",
            $"{CrashPoint.TextRowsWritten}#2", $"{CrashPoint.JournalFilesFlushed}#2", $"{CrashPoint.JournalTrimmed}#1",
        ],
        _ =>
        [
            $"{CrashPoint.TempWritten}#3", $"{CrashPoint.Renamed}#3", $"{CrashPoint.ZarrChunkWritten}#3", $"{CrashPoint.ZarrChunksWritten}#2",
            $"{CrashPoint.ZarrMetadataWritten}#2", $"{CrashPoint.JournalFilesFlushed}#2", $"{CrashPoint.JournalTrimmed}#1",
        ],
    };

    [Fact]
    public void PointsFor_EveryFormat_CoverEveryPointItsFlushesPass()
    {
        var visited = CrashFormat.All.SelectMany(PointsFor).Select(p => p.Replace("new:", "")[..p.Replace("new:", "").IndexOf('#')]).ToHashSet();
        Assert.Equal(CrashPoint.All.Order(), visited.Order());
    }

    /// <summary>Kills the worker at each of the format's points in turn and checks the store after every kill.</summary>
    protected async Task KillAtEveryPoint(string format)
    {
        var shared = new CrashVerifier.Acknowledged();
        var run = 0;
        foreach (var trial in PointsFor(format))
        {
            run++;
            var fresh = trial.StartsWith("new:", StringComparison.Ordinal);
            var point = fresh ? trial["new:".Length..] : trial;
            var root = fresh ? _temp.Sub($"new-{run}") : _temp.Sub("shared");
            var acknowledged = fresh ? new CrashVerifier.Acknowledged() : shared;
            var started = System.Diagnostics.Stopwatch.StartNew();
            var result = await CrashWorkerProcess.Run(root, format, run, appendsPerFlush: 8, maxAcks: 600, point);
            var context = $"{format}, killed at {point} (run {run}{(fresh ? ", new root" : "")})";
            Assert.True(result.Killed, $"{context}: the worker was not killed there (exit {result.ExitCode}):\n{result.Stderr}");
            var worked = started.Elapsed;
            acknowledged.Add(result.Acks);
            CrashVerifier.FilesReadableAfterCrash(root, format, context);
            var rows = await CrashVerifier.Recovered(root, format, acknowledged, context);
            output.WriteLine(
                $"{context}: {result.Acks.Count} acknowledged this run, {acknowledged.Count} in all checked once at their ranges, 0 lost, 0 duplicated; " +
                $"{rows} rows (worker {worked.TotalSeconds:F1} s, checks {(started.Elapsed - worked).TotalSeconds:F1} s)");
        }
    }
}

/// <summary><see cref="CrashPointTests"/> for the array formats.</summary>
public sealed class ArrayCrashPointTests(ITestOutputHelper output) : CrashPointTests(output)
{
    [Theory]
    [InlineData("npy")]
    [InlineData("npz")]
    [InlineData("zarr2")]
    [InlineData("zarr3")]
    [InlineData("zarr3-sharded")]
    public Task Sigkill_AtEveryCrashPoint_LosesNoAcknowledgedAppendAndLeavesReadableFiles(string format) => KillAtEveryPoint(format);
}

/// <summary><see cref="CrashPointTests"/> for the table formats.</summary>
public sealed class TableCrashPointTests(ITestOutputHelper output) : CrashPointTests(output)
{
    [Theory]
    [InlineData("parquet")]
    [InlineData("ipc")]
    [InlineData("csv")]
    [InlineData("json")]
    public Task Sigkill_AtEveryCrashPoint_LosesNoAcknowledgedAppendAndLeavesReadableFiles(string format) => KillAtEveryPoint(format);
}
