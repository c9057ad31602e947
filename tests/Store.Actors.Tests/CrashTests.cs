using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Apache.Arrow;
using Store.Core;
using Store.Core.Tests;
using Xunit.Abstractions;

namespace Store.Actors.Tests;

/// <summary>
/// A child process appends with the journal on and prints each acknowledged range; it is killed
/// with SIGKILL at random moments (some right as a flush starts). After each kill the store is
/// reopened: every acknowledged append is there exactly once at the range it was given, and every file opens.
/// </summary>
public class CrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 6;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("npy")]
    [InlineData("zarr")]
    public async Task Sigkill_AtRandomMomentsAndDuringFlushes_LosesNoAcknowledgedAppendAndDuplicatesNone(string format)
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}");
        var acknowledged = new Dictionary<(string Kind, string Producer, long Sequence), long>();
        for (var run = 0; run < Kills; run++)
        {
            var duringFlush = run % 2 == 1;
            var acks = await RunAndKill(format, run, duringFlush, random);
            output.WriteLine($"run {run}: {acks.Count} acknowledgements, killed {(duringFlush ? "as a flush started" : "at a random moment")}");
            Assert.True(acks.Count > 0, $"run {run} acknowledged nothing (seed {seed})");
            foreach (var (key, start) in acks)
            {
                acknowledged[key] = start;
            }

            await Verify(format, acknowledged, seed);
        }

        if (format == "npy")
        {
            // numpy opens what the recovered store flushed, with every acknowledged frame once.
            var rows = JsonDocument.Parse(Numpy.Run(
                "a = np.load(sys.argv[1]); print(json.dumps({'shape': list(a.shape), 'unique': len({tuple(r[:3]) for r in a.tolist()})}))",
                _temp.Sub("arrays/frames.npy"))).RootElement;
            Assert.Equal(rows.GetProperty("shape")[0].GetInt64(), rows.GetProperty("unique").GetInt64());
            Assert.True(rows.GetProperty("unique").GetInt64() >= acknowledged.Keys.Count(k => k.Kind == "array"));
        }
    }

    private async Task<List<((string, string, long), long)>> RunAndKill(string format, int run, bool duringFlush, Random random)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { WorkerDll(), _temp.Path, format, run.ToString(), "40" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var lines = new ConcurrentQueue<string>();
        var flushing = new TaskCompletionSource();
        var enough = new TaskCompletionSource();
        var target = random.Next(40, 600);
        var reader = Task.Run(async () =>
        {
            var acks = 0;
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Enqueue(line);
                if (line == "FLUSHING")
                {
                    flushing.TrySetResult();
                }
                else if (++acks >= target)
                {
                    enough.TrySetResult();
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();

        var moment = duringFlush ? flushing.Task : enough.Task;
        var finished = await Task.WhenAny(moment, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == moment, $"run {run}: the worker ended or stalled before the kill moment:\n{await TimeoutOr(stderr)}");
        if (duringFlush)
        {
            await Task.Delay(random.Next(0, 15));
        }

        process.Kill(entireProcessTree: true); // SIGKILL on Linux: no flush, no dispose
        await process.WaitForExitAsync();
        await reader;

        var acks = new List<((string, string, long), long)>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            if (parts is ["ACK", var kind, var producer, var sequence, var rangeStart])
            {
                acks.Add(((kind, producer, long.Parse(sequence)), long.Parse(rangeStart)));
            }
        }

        return acks;
    }

    private async Task Verify(string format, Dictionary<(string Kind, string Producer, long Sequence), long> acknowledged, int seed)
    {
        await using (var arrays = ArrayActorStore.Open(new ActorStoreOptions
        {
            Root = _temp.Sub("arrays"), DiskFormat = format == "zarr" ? DiskFormat.Zarr : DiskFormat.Npy, Durability = Durability.Journal,
        }))
        {
            var frames = (await arrays.ReadAsync("frames"))!.ToArray<long>();
            var seen = new HashSet<(string, long)>();
            for (var row = 0; row < frames.Length / 4; row++)
            {
                var (run, producer, sequence, check) = (frames[row * 4], frames[(row * 4) + 1], frames[(row * 4) + 2], frames[(row * 4) + 3]);
                Assert.Equal((run * 1_000_000) + sequence, check);
                Assert.True(seen.Add(($"run{run}-p{producer}", sequence)), $"frame run{run}-p{producer} #{sequence} appears twice (seed {seed})");
            }

            foreach (var ((_, producer, sequence), start) in acknowledged.Where(a => a.Key.Kind == "array"))
            {
                Assert.True(start < frames.Length / 4, $"acknowledged frame {producer} #{sequence} at row {start} is missing (seed {seed})");
                Assert.Equal(sequence, frames[(start * 4) + 2]);
                Assert.Equal(producer, $"run{frames[start * 4]}-p{frames[(start * 4) + 1]}");
            }
        }

        await using var tables = TableActorStore.Open(new ActorStoreOptions
        {
            Root = _temp.Sub("tables"), DiskFormat = DiskFormat.Parquet, Durability = Durability.Journal,
        });
        var events = (await tables.ReadAsync("events"))!;
        var producers = events.Strings("producer");
        var sequences = events.Values<long>("sequence");
        Assert.Equal(producers.Length, producers.Zip(sequences).Distinct().Count());
        foreach (var ((_, producer, sequence), start) in acknowledged.Where(a => a.Key.Kind == "table"))
        {
            Assert.True(start < producers.Length, $"acknowledged row {producer} #{sequence} at {start} is missing (seed {seed})");
            Assert.Equal((producer, sequence), (producers[start], sequences[start]!.Value));
        }
    }

    private static async Task<string> TimeoutOr(Task<string> text) =>
        await Task.WhenAny(text, Task.Delay(1000)) == text ? text.Result : "(no stderr yet)";

    private static string WorkerDll()
    {
        // The worker is built next to this project (tests/Store.Actors.CrashWorker/bin/<configuration>/<tfm>/).
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);
        var tfm = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var tests = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(tests, "Store.Actors.CrashWorker", "bin", configuration, tfm, "Store.Actors.CrashWorker.dll");
        Assert.True(File.Exists(dll), $"crash worker not built at {dll}");
        return dll;
    }
}
