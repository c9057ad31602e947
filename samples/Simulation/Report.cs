using Spectre.Console;
using Store.Hosting;

namespace Simulation;

/// <summary>Progress while the runs go (live bars on a terminal, plain lines when redirected) and the summary table at the end.</summary>
public static class Report
{
    /// <summary>Shows progress until <paramref name="running"/> completes.</summary>
    public static async Task ProgressAsync(SimulationJob job, SimulationSettings settings, Task running)
    {
        var runIds = settings.RunNumbers.Select(r => $"run{r}").ToList();
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var bars = runIds.ToDictionary(id => id, id => context.AddTask(id, maxValue: settings.Frames));
                    while (!running.IsCompleted)
                    {
                        foreach (var (id, bar) in bars)
                        {
                            bar.Value = job.Progress.GetValueOrDefault(id);
                        }

                        await Task.WhenAny(running, Task.Delay(200));
                    }

                    foreach (var (id, bar) in bars)
                    {
                        bar.Value = job.Progress.GetValueOrDefault(id);
                    }
                });
            return;
        }

        var reported = -1L;
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(1000));
            var done = runIds.Sum(id => job.Progress.GetValueOrDefault(id));
            if (done != reported)
            {
                Console.WriteLine($"progress: {done}/{(long)settings.Frames * settings.Runs} frames ({string.Join(", ", runIds.Select(id => $"{id} {job.Progress.GetValueOrDefault(id)}"))})");
                reported = done;
            }
        }
    }

    /// <summary>Prints one row per run and a total: frames, MB, frames/s, flushes and their times.</summary>
    public static void Summary(IReadOnlyList<RunSummary> runs, SimulationSettings settings, StoreRuntime store, TimeSpan elapsed)
    {
        var table = new Table().AddColumns("run", "frames", "from", "MB", "frames/s", "flushes", "mean flush ms", "max flush ms");
        foreach (var run in runs)
        {
            table.AddRow(
                run.RunId, run.Frames.ToString(), run.FirstFrame.ToString(), (run.Bytes / 1e6).ToString("F1"),
                (run.Seconds > 0 ? run.Frames / run.Seconds : 0).ToString("F0"), run.Flushes.ToString(),
                run.MeanFlushMs.ToString("F1"), run.MaxFlushMs.ToString("F1"));
        }

        var frames = runs.Sum(r => r.Frames);
        table.AddRow("total", frames.ToString(), "", (runs.Sum(r => r.Bytes) / 1e6).ToString("F1"),
            (elapsed.TotalSeconds > 0 ? frames / elapsed.TotalSeconds : 0).ToString("F0"), runs.Sum(r => r.Flushes).ToString(), "", "");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape(
            $"{settings.Runs} runs × {settings.Frames} frames × {settings.Atoms} atoms in {elapsed.TotalSeconds:F1} s: " +
            $"arrays ({store.Arrays.DiskFormat}) in {store.Arrays.Root}, energies ({store.Tables.DiskFormat}) in {store.Tables.Root}."));
    }
}
