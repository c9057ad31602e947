using BenchmarkDotNet.Attributes;
using Store.Core.Tables;

namespace Store.Benchmarks;

/// <summary>
/// A filtered query over 1,000,000 energy rows held in 1,000-row batches (one run, high potential,
/// low kinetic), against a hand-written loop over flat arrays computing the same rows.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class QueryBenchmarks
{
    private const int BatchRows = 1000;

    private TableStore _store = null!;
    private string[] _runIds = [];
    private double[] _potential = [];
    private double[] _kinetic = [];

    /// <summary>Rows scanned.</summary>
    [Params(1_000_000)]
    public int Rows { get; set; }

    /// <summary>Builds the table in the store and the same columns as flat arrays.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _runIds = Enumerable.Range(0, Rows).Select(i => $"run{i / 1000 % 8}").ToArray();
        _potential = Enumerable.Range(0, Rows).Select(_ => random.NextDouble()).ToArray();
        _kinetic = Enumerable.Range(0, Rows).Select(_ => random.NextDouble()).ToArray();
        _store = TableStore.InMemory();
        for (var b = 0; b < Rows / BatchRows; b++)
        {
            var range = new Range(b * BatchRows, (b + 1) * BatchRows);
            _store.Append("energies", Table.FromColumns(
                ("ens_id", TableColumn.Of([.. Enumerable.Repeat("ens0", BatchRows)])),
                ("run_id", TableColumn.Of(_runIds[range])),
                ("micro_id", TableColumn.Of<long>([.. Enumerable.Range(b * BatchRows, BatchRows).Select(i => (long)i)])),
                ("potential", TableColumn.Of<double>(_potential[range])),
                ("kinetic", TableColumn.Of<double>(_kinetic[range]))));
        }
    }

    /// <summary>The same predicate over flat .NET arrays, counting matches.</summary>
    [Benchmark(Baseline = true)]
    public long ScanArrays()
    {
        long matches = 0;
        for (var i = 0; i < _potential.Length; i++)
        {
            if (_runIds[i] == "run3" && _potential[i] > 0.99 && _kinetic[i] < 0.5)
            {
                matches++;
            }
        }

        return matches;
    }

    /// <summary>The store's query: key and filter parsed, evaluated column-wise, matches gathered.</summary>
    [Benchmark]
    public long Query() => _store.Query("energies", runId: "run3", filter: "potential > 0.99 and kinetic < 0.5")!.RowCount;
}
