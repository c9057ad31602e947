using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Store.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Store.Benchmarks.Frames).Assembly).Run(args);
