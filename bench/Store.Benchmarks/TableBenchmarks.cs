using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Parquet;
using Parquet.Schema;
using Store.Core;
using Store.Core.Tables;

namespace Store.Benchmarks;

/// <summary>
/// 1,000,000 energy rows (ens_id, run_id, micro_id, three doubles) appended in batches of 1,000 and
/// flushed to Parquet, against Parquet.Net writing the same columns directly. Both sync once.
/// Eight warm-up rounds let tiered JIT finish optimising both sides' per-row loops (a service runs warm).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 8, iterationCount: 15, invocationCount: 1)]
public class TableBenchmarks
{
    private const int BatchRows = 1000;

    private Store.Core.Tables.Table[] _batches = [];
    private string[] _ensIds = [];
    private string[] _runIds = [];
    private long[] _microIds = [];
    private double[][] _energies = [];
    private TableStore _store = null!;
    private string _root = "";

    /// <summary>Rows written and queried.</summary>
    [Params(1_000_000)]
    public int Rows { get; set; }

    /// <summary>Builds the rows once, as store batches and as flat arrays for the baseline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _ensIds = Enumerable.Range(0, Rows).Select(i => $"ens{i % 4}").ToArray();
        _runIds = Enumerable.Range(0, Rows).Select(i => $"run{i / 1000 % 8}").ToArray();
        _microIds = Enumerable.Range(0, Rows).Select(i => (long)i).ToArray();
        _energies = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, Rows).Select(_ => random.NextDouble()).ToArray()).ToArray();
        _batches = Enumerable.Range(0, Rows / BatchRows).Select(b =>
        {
            var range = new Range(b * BatchRows, (b + 1) * BatchRows);
            return Store.Core.Tables.Table.FromColumns(
                ("ens_id", TableColumn.Of(_ensIds[range])),
                ("run_id", TableColumn.Of(_runIds[range])),
                ("micro_id", TableColumn.Of<long>(_microIds[range])),
                ("potential", TableColumn.Of<double>(_energies[0][range])),
                ("kinetic", TableColumn.Of<double>(_energies[1][range])),
                ("total", TableColumn.Of<double>(_energies[2][range])));
        }).ToArray();

        _root = Frames.TempRoot("tables");
        _store = new TableStore(_root, StoreMode.Write, DiskFormat.Parquet);
    }

    /// <summary>Parquet.Net writing the same columns from flat arrays: one row group, one fsync.</summary>
    [Benchmark(Baseline = true)]
    public void ParquetNetDirect() => WriteDirectAsync().GetAwaiter().GetResult();

    /// <summary>Appends the rows in batches of 1,000, then flushes them to a new Parquet file.</summary>
    [Benchmark]
    public void AppendThenFlush()
    {
        _store.Write("energies", _batches[0]);
        for (var b = 1; b < _batches.Length; b++)
        {
            _store.Append("energies", _batches[b]);
        }

        _store.Flush();
    }

    /// <summary>Removes the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task WriteDirectAsync()
    {
        var fields = new DataField[]
        {
            new DataField<string>("ens_id"), new DataField<string>("run_id"), new DataField<long>("micro_id"),
            new DataField<double>("potential"), new DataField<double>("kinetic"), new DataField<double>("total"),
        };
        await using var stream = new FileStream(Path.Combine(_root, "direct.parquet"), FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(fields[0], _ensIds);
            await group.WriteAsync(fields[1], _runIds);
            await group.WriteAsync<long>(fields[2], _microIds);
            for (var e = 0; e < 3; e++)
            {
                await group.WriteAsync<double>(fields[3 + e], _energies[e]);
            }
        }

        stream.Flush(flushToDisk: true);
    }
}
