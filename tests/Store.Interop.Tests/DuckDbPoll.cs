using System.Diagnostics;
using System.Text.Json;

namespace Store.Interop.Tests;

/// <summary>
/// A DuckDB process (node, Scripts/tables.mjs duckdb-poll) that runs one statement again and again in one
/// connection, while the test changes the files it reads, until <see cref="Stop"/>; every run's outcome is kept.
/// </summary>
public sealed class DuckDbPoll : IDisposable
{
    private readonly Process _process;
    private readonly string _stopFile;
    private readonly List<PollRead> _reads = [];
    private readonly Task _stdout;
    private readonly Task<string> _stderr;

    private DuckDbPoll(string statement, string stopFile)
    {
        _stopFile = stopFile;
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Readers.TablesScriptPath, "duckdb-poll", statement, stopFile })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _stderr = _process.StandardError.ReadToEndAsync();
        _stdout = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                var read = JsonDocument.Parse(line).RootElement;
                var outcome = new PollRead(
                    read.GetProperty("start").GetInt64(),
                    read.GetProperty("end").GetInt64(),
                    read.TryGetProperty("rows", out var rows) ? [.. rows.EnumerateArray().Select(r => r.EnumerateArray().ToArray())] : null,
                    read.TryGetProperty("error", out var error) ? error.GetString() : null);
                lock (_reads)
                {
                    _reads.Add(outcome);
                    Monitor.PulseAll(_reads);
                }
            }
        });
    }

    /// <summary>Starts polling <paramref name="statement"/>; the process stops once <paramref name="stopFile"/> exists (after one more run).</summary>
    public static DuckDbPoll Start(string statement, string stopFile) => new(statement, stopFile);

    /// <summary>The runs finished so far.</summary>
    public int Count
    {
        get
        {
            lock (_reads)
            {
                return _reads.Count;
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> runs have finished.</summary>
    public void WaitForReads(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_reads)
        {
            while (_reads.Count < count)
            {
                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero && !_process.HasExited || _reads.Count >= count,
                    $"DuckDB poll: {_reads.Count} of {count} reads after {timeout.TotalSeconds} s (exited: {_process.HasExited}); stderr:\n{(_process.HasExited ? _stderr.Result : "")}");
                Monitor.Wait(_reads, TimeSpan.FromMilliseconds(Math.Clamp(left.TotalMilliseconds, 1, 200)));
            }
        }
    }

    /// <summary>Asks the process to stop, waits for its last run and returns every run, in order.</summary>
    public IReadOnlyList<PollRead> Stop(TimeSpan timeout)
    {
        File.WriteAllText(_stopFile, "stop");
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"DuckDB poll did not stop within {timeout.TotalSeconds} s");
        }

        _stdout.GetAwaiter().GetResult();
        Assert.True(_process.ExitCode == 0, $"DuckDB poll exited with {_process.ExitCode}:\n{_stderr.Result}");
        lock (_reads)
        {
            return [.. _reads];
        }
    }

    /// <summary>Ends the process if it still runs.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}

/// <summary>One run of a <see cref="DuckDbPoll"/>: its wall-clock start and end (Unix ms), and the rows it read or its error.</summary>
public sealed record PollRead(long Start, long End, IReadOnlyList<JsonElement[]>? Rows, string? Error);
