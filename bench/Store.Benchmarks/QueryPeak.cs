using System.Diagnostics;
using System.Globalization;
using Store.Core;
using Store.Core.Tables;

namespace Store.Benchmarks;

/// <summary>
/// Issue 14, memory of a query: the peak working set (Linux <c>VmHWM</c>) of a process that opens
/// a store holding the 4,000,000-row energies table (<see cref="EnergyRows"/>) as CSV (about 225 MB;
/// <c>csv-peak [folder]</c>) or Parquet (<c>parquet-peak [folder]</c>) read-only and runs the scale
/// query cold, against the target of 512 MiB and, as the baseline, a process that only opens the
/// store. BenchmarkDotNet cannot measure a peak, so these are commands of their own: they build the
/// table (in a child process, not measured) unless the folder already holds it, then run each
/// measured step in a fresh child process of this program.
/// </summary>
public static class QueryPeak
{
    /// <summary>The peak working set the issue allows the query, in MiB.</summary>
    public const int TargetMiB = 512;

    private const string BuildStep = "peak-build";
    private const string QueryStep = "peak-query";
    private const string BaselineStep = "peak-baseline";

    /// <summary>Whether <paramref name="command"/> (the first argument) is one of this class's commands.</summary>
    public static bool Handles(string command) => command is "csv-peak" or "parquet-peak" or BuildStep or QueryStep or BaselineStep;

    /// <summary>Runs the command in <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        switch (args[0])
        {
            case "csv-peak":
                return RunReport(DiskFormat.Csv, args.Length > 1 ? args[1] : null);
            case "parquet-peak":
                return RunReport(DiskFormat.Parquet, args.Length > 1 ? args[1] : null);
            case BuildStep:
                EnergyRows.Build(Folder(args), Enum.Parse<DiskFormat>(args[2]));
                return 0;
            case QueryStep:
            {
                var clock = Stopwatch.StartNew();
                using var store = new TableStore(Folder(args), "r");
                var rows = EnergyRows.Query(store);
                Console.WriteLine($"rows {rows}");
                Console.WriteLine($"seconds {clock.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)}");
                Console.WriteLine($"peak-kib {PeakKiB()}");
                return 0;
            }

            case BaselineStep:
            {
                using var store = new TableStore(Folder(args), "r");
                Console.WriteLine($"tables {store.Available().Count}");
                Console.WriteLine($"peak-kib {PeakKiB()}");
                return 0;
            }

            default:
                throw new ArgumentException($"Unknown command '{args[0]}'.", nameof(args));
        }
    }

    private static string Folder(string[] args) =>
        args.Length > 1 ? args[1] : throw new ArgumentException($"'{args[0]}' needs the store's folder.", nameof(args));

    private static int RunReport(DiskFormat format, string? folder)
    {
        var owned = folder is null;
        folder ??= Frames.TempRoot($"{format}-peak".ToLowerInvariant());
        var extension = format == DiskFormat.Csv ? ".csv" : ".parquet";
        try
        {
            if (EnergyRows.BytesOnDisk(folder, extension) == 0)
            {
                Console.WriteLine($"Building the {EnergyRows.Flushes * EnergyRows.FlushRows:N0}-row {format} table in {folder} (not measured) ...");
                var clock = Stopwatch.StartNew();
                if (RunChild(BuildStep, folder, format.ToString()) is null)
                {
                    return 1;
                }

                Console.WriteLine($"  built in {clock.Elapsed.TotalSeconds:F1} s");
            }

            var baseline = RunChild(BaselineStep, folder);
            var query = RunChild(QueryStep, folder);
            if (baseline is null || query is null)
            {
                return 1;
            }

            var peakMiB = query["peak-kib"] / 1024.0;
            var bytes = EnergyRows.BytesOnDisk(folder, extension);
            Console.WriteLine();
            Console.WriteLine($"{format} table             {folder}");
            Console.WriteLine($"Size on disk              {bytes:N0} bytes ({bytes / 1048576.0:F1} MiB)");
            Console.WriteLine($"Query                     runId: {EnergyRows.QueryRunId}, filter: {EnergyRows.QueryFilter} (cold: open \"r\", query, dispose)");
            Console.WriteLine($"Result rows               {query["rows"]:N0}");
            Console.WriteLine($"Query time                {query["seconds"]:F2} s");
            Console.WriteLine($"Peak working set, query   {peakMiB:F1} MiB (VmHWM)");
            Console.WriteLine($"Peak working set, open    {baseline["peak-kib"] / 1024.0:F1} MiB (baseline: open the store, read nothing)");
            Console.WriteLine($"Target                    <= {TargetMiB} MiB: {(peakMiB <= TargetMiB ? "met" : "NOT met")}");
            return 0;
        }
        finally
        {
            if (owned && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Runs this program with <paramref name="args"/> in a child process; its <c>key value</c> output lines, or null when it failed.</summary>
    private static Dictionary<string, double>? RunChild(params string[] args)
    {
        var program = Environment.ProcessPath ?? throw new InvalidOperationException("The program's path is unknown.");
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(program) == "dotnet")
        {
            start.ArgumentList.Add(typeof(QueryPeak).Assembly.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            Console.WriteLine($"'{args[0]}' failed with exit code {child.ExitCode}:{Environment.NewLine}{output}");
            return null;
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2))
            .Where(parts => parts.Length == 2 && double.TryParse(parts[1], CultureInfo.InvariantCulture, out _))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>This process's peak resident set so far, in KiB: <c>VmHWM</c> from <c>/proc/self/status</c>.</summary>
    private static long PeakKiB()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            throw new PlatformNotSupportedException($"{Status} is missing: the peak working set is read from Linux's VmHWM.");
        }

        var line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"{Status} has no VmHWM line.");
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
