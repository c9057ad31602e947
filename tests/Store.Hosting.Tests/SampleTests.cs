using Store.Core.Tests;
using Store.Interop.Tests;

namespace Store.Hosting.Tests;

/// <summary>The HostedWorker and Producers samples run, stop cleanly and leave data real readers open.</summary>
public class SampleTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void HostedWorker_RunsItsProducers_AndItsGracefulStopFlushesEverything()
    {
        var run = Samples.Run("HostedWorker", $"--Store:Root={_temp.Path}", "--Store:Mode=w", "--Store:FlushInterval=00:00:00.300", "--Worker:RunFor=00:00:01.500");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Host stopping: flushing the store", run.Output);

        var readings = TableFiles.Read(Path.Combine(_temp.Path, "tables", "readings.parquet"), "parquet");
        Assert.Equal(["sensor", "sequence", "row", "mean"], readings.Columns.Select(c => c.Name));
        var sensors = readings.Rows.GroupBy(r => r[0].GetString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["anemometer", "barometer", "thermometer"], sensors.Keys.Order());

        var arrays = Readers.Zarrita(Path.Combine(_temp.Path, "arrays"), sensors.Keys.Select(s => $"sensors/{s}"));
        foreach (var (sensor, rows) in sensors)
        {
            // Every reading the table logged is in its sensor's array, and nothing else.
            var shape = arrays.GetProperty($"sensors/{sensor}").GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.Equal([rows, 16L], shape);
        }
    }

    [Fact]
    public async Task HostedWorker_Sigterm_FlushesEveryReadingItsProducersCounted()
    {
        using var process = Samples.Start("HostedWorker", $"--Store:Root={_temp.Path}", "--Store:Mode=w", "--Store:FlushInterval=01:00:00");
        var started = new TaskCompletionSource();
        var stdout = Task.Run(async () =>
        {
            var text = new System.Text.StringBuilder();
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                text.AppendLine(line);
                if (line.Contains("Flushing the store every", StringComparison.Ordinal)) // its flush service started: the host runs
                {
                    started.TrySetResult();
                }
            }

            return text.ToString();
        });
        var stderr = process.StandardError.ReadToEndAsync();

        // Signalled once the host runs (a busy machine may take seconds to start it), after the producers had time to append.
        await Task.WhenAny(started.Task, stdout).WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(1500);
        Assert.False(process.HasExited, "the worker exited before it was signalled");
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, output);

        // Each producer logs how many readings were acknowledged; the periodic flush never ran (1 h), so only the stop flushed them.
        var counted = System.Text.RegularExpressions.Regex.Matches(output, @"(\w+): stopped after (\d+) readings")
            .ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value));
        Assert.Equal(3, counted.Count);
        var readings = TableFiles.Read(Path.Combine(_temp.Path, "tables", "readings.parquet"), "parquet");
        Assert.Equal(counted.OrderBy(c => c.Key), readings.Rows.GroupBy(r => r[0].GetString()!).Select(g => KeyValuePair.Create(g.Key, (long)g.Count())).OrderBy(c => c.Key));
        var arrays = Readers.Zarrita(Path.Combine(_temp.Path, "arrays"), counted.Keys.Select(s => $"sensors/{s}"));
        Assert.All(counted, c => Assert.Equal(c.Value, arrays.GetProperty($"sensors/{c.Key}").GetProperty("shape")[0].GetInt64()));
    }

    [Fact]
    public void Producers_RetriedAppends_AreAppliedOnce()
    {
        var run = Samples.Run("Producers", "--out", _temp.Path, "--producers", "3", "--appends", "60", "--loss", "0.3");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("0 duplicates, 0 missing", run.Output);
        Assert.DoesNotContain(" 0 retried sends", run.Output);

        var events = TableFiles.Read(Path.Combine(_temp.Path, "tables", "events.parquet"), "parquet");
        Assert.Equal(180, events.Rows.Count);
        Assert.Equal(180, events.Rows.Select(r => (r[0].GetString(), r[1].ToString())).Distinct().Count());
    }
}
