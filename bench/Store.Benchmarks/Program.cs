using BenchmarkDotNet.Running;
using Store.Benchmarks;

// dotnet run -c Release --project bench/Store.Benchmarks -- --filter '*'

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
