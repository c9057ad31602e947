using BenchmarkDotNet.Running;
using Store.Benchmarks;

// dotnet run -c Release --project bench/Store.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Store.Benchmarks -- csv-peak [folder]   (or parquet-peak)
// dotnet run -c Release --project bench/Store.Benchmarks -- cluster-append [reps] [frames] [rows] [sides] [--no-pooling]
// dotnet run -c Release --project bench/Store.Benchmarks -- main-job-share [reps] [--runs N] [--frames N] [--atoms N] [--flush-every N] [--sides ...]
// (see bench/README.md)
if (args.Length > 0 && QueryPeak.Handles(args[0]))
{
    return QueryPeak.Run(args);
}

if (args.Length > 0 && ClusterAppendReport.Handles(args[0]))
{
    return ClusterAppendReport.Run(args);
}

if (args.Length > 0 && MainJobShare.Handles(args[0]))
{
    return MainJobShare.Run(args);
}

// Tables the benchmark processes of this run share (built once, removed at the end).
var shared = SharedTables.Begin();
try
{
    BenchmarkSwitcher.FromAssembly(typeof(Frames).Assembly).Run(args);
}
finally
{
    SharedTables.End(shared);
}

return 0;
