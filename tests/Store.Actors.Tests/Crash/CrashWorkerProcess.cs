using System.Collections.Concurrent;
using System.Diagnostics;
using Store.Actors.CrashWorker;
using Store.Core.Storage;

namespace Store.Actors.Tests.Crash;

/// <summary>An append acknowledged by the crash worker: the producer, its sequence number and the rows it was given.</summary>
internal sealed record Ack(string Producer, long Sequence, long Start, long Count);

/// <summary>How a worker run ended: its acknowledgements, whether it was killed, and its error output.</summary>
internal sealed record WorkerRun(IReadOnlyList<Ack> Acks, bool Killed, int ExitCode, string Stderr);

/// <summary>Starts tests/Store.Actors.CrashWorker in a child process and ends it with a real SIGKILL.</summary>
internal static class CrashWorkerProcess
{
    /// <summary>
    /// Runs the worker with <paramref name="crashPoint"/> armed (null: none) until it kills itself
    /// there, or until <paramref name="killWhen"/> completes (then it is killed from outside), or it
    /// finishes on its own after <paramref name="maxAcks"/> acknowledgements.
    /// </summary>
    public static async Task<WorkerRun> Run(
        string root, string format, int run, int appendsPerFlush, int maxAcks, string? crashPoint,
        Func<WorkerSignals, Task>? killWhen = null, ServerJournal? journal = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { WorkerDll(), root, format, run.ToString(), appendsPerFlush.ToString(), maxAcks.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        if (crashPoint is not null)
        {
            start.Environment[CrashPoint.Variable] = crashPoint;
        }

        journal?.Export(start.Environment);

        using var process = Process.Start(start)!;
        var lines = new ConcurrentQueue<string>();
        var signals = new WorkerSignals();
        var reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Enqueue(line);
                signals.Saw(line);
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();

        var exited = process.WaitForExitAsync();
        var limit = Task.Delay(TimeSpan.FromSeconds(120));
        if (killWhen is not null)
        {
            var moment = killWhen(signals);
            var first = await Task.WhenAny(moment, exited, limit);
            if (first == moment && !process.HasExited)
            {
                process.Kill(entireProcessTree: true); // SIGKILL on Linux: no flush, no dispose
            }
        }

        if (await Task.WhenAny(exited, limit) != exited)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the crash worker ({format}, {crashPoint}) did not end within 120 s:\n{await stderr}");
        }

        await exited;
        await reader;
        var acks = new List<Ack>();
        foreach (var line in lines)
        {
            if (line.Split(' ') is ["ACK", var producer, var sequence, var rangeStart, var count])
            {
                acks.Add(new Ack(producer, long.Parse(sequence), long.Parse(rangeStart), long.Parse(count)));
            }
        }

        return new WorkerRun(acks, process.ExitCode == 137, process.ExitCode, await stderr);
    }

    /// <summary>The built dll of the test program <paramref name="project"/> (a folder under tests/), built beside this test project.</summary>
    internal static string WorkerDll(string project = "Store.Actors.CrashWorker")
    {
        // tests/<project>/bin/<configuration>/<tfm>/, as this project's own output.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);
        var tfm = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var tests = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(tests, project, "bin", configuration, tfm, project + ".dll");
        Assert.True(File.Exists(dll), $"{project} not built at {dll}");
        return dll;
    }
}

/// <summary>What the worker has printed so far, as tasks a kill can wait for.</summary>
internal sealed class WorkerSignals
{
    private readonly TaskCompletionSource _flushing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _ackTargets = new();
    private int _acks;

    /// <summary>Completes when the worker starts its first flush.</summary>
    public Task Flushing => _flushing.Task;

    /// <summary>Completes once <paramref name="count"/> acknowledgements were printed.</summary>
    public Task Acks(int count)
    {
        var target = _ackTargets.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Volatile.Read(ref _acks) >= count)
        {
            target.TrySetResult();
        }

        return target.Task;
    }

    internal void Saw(string line)
    {
        if (line == "FLUSHING")
        {
            _flushing.TrySetResult();
        }
        else if (line.StartsWith("ACK ", StringComparison.Ordinal))
        {
            var acks = Interlocked.Increment(ref _acks);
            foreach (var (count, target) in _ackTargets)
            {
                if (acks >= count)
                {
                    target.TrySetResult();
                }
            }
        }
    }
}
