using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using DuckDB.NET.Data;
using Store.Core;
using Store.Core.Tables;

namespace Store.Benchmarks;

/// <summary>
/// Issue 14, queries at scale: the query <c>run_id = 'run3' and potential &gt; 0.99 and kinetic &lt; 0.5</c>
/// over the 4,000,000-row energies table (<see cref="EnergyRows"/>, 200 flushes) stored as Parquet,
/// against DuckDB (DuckDB.NET, <c>SET threads=1</c>) running the same SQL with <c>read_parquet</c>
/// over the same files and reading every column of every result row through its DbDataReader.
/// Cold: open the store (a DuckDB in-memory connection), query, dispose, each time. Warm: one store
/// (connection) opened in the setup, the query repeated. Each category has its own DuckDB baseline.
/// The setup checks that both sides return the same number of rows.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 1)]
public class TableQueryScaleBenchmarks
{
    private const string Cold = "Cold";
    private const string Warm = "Warm";

    private string _root = "";
    private bool _ownsRoot;
    private string _sql = "";
    private long _expectedRows;
    private TableStore? _store;
    private DuckDBConnection? _connection;

    /// <summary>Finds or builds the table and checks that the store and DuckDB agree, for the cold cases.</summary>
    [GlobalSetup(Targets = [nameof(DuckDbCold), nameof(StoreCold)])]
    public void SetupCold() => Prepare();

    /// <summary>As <see cref="SetupCold"/>, then opens the store <see cref="StoreWarm"/> queries and queries it once.</summary>
    [GlobalSetup(Target = nameof(StoreWarm))]
    public void SetupStoreWarm()
    {
        Prepare();
        _store = new TableStore(_root, "r");
        Check("the store, warm", EnergyRows.Query(_store));
    }

    /// <summary>As <see cref="SetupCold"/>, then opens the connection <see cref="DuckDbWarm"/> queries and queries it once.</summary>
    [GlobalSetup(Target = nameof(DuckDbWarm))]
    public void SetupDuckDbWarm()
    {
        Prepare();
        _connection = OpenDuckDb();
        Check("DuckDB, warm", QueryDuckDb(_connection));
    }

    /// <summary>Baseline (cold): a new single-threaded DuckDB connection runs the query over the Parquet files; rows read.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Cold)]
    public long DuckDbCold()
    {
        using var connection = OpenDuckDb();
        return QueryDuckDb(connection);
    }

    /// <summary>The store opened read-only, queried once and disposed; rows returned.</summary>
    [Benchmark]
    [BenchmarkCategory(Cold)]
    public long StoreCold()
    {
        using var store = new TableStore(_root, "r");
        return EnergyRows.Query(store);
    }

    /// <summary>Baseline (warm): the query again on the setup's single-threaded DuckDB connection; rows read.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Warm)]
    public long DuckDbWarm() => QueryDuckDb(_connection!);

    /// <summary>The query again on the setup's store; rows returned.</summary>
    [Benchmark]
    [BenchmarkCategory(Warm)]
    public long StoreWarm() => EnergyRows.Query(_store!);

    /// <summary>Closes the warm store or connection; removes the table unless the run shares it.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _connection?.Dispose();
        if (_ownsRoot)
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void Prepare()
    {
        _root = SharedTables.Energies(DiskFormat.Parquet, out _ownsRoot);

        // Today one file <root>/energies.parquet; a table of part files is a folder of that name.
        var table = Path.Combine(_root, EnergyRows.TablePath + ".parquet");
        var source = Directory.Exists(table) ? Path.Combine(table, "*.parquet") : table;
        _sql = $"SELECT * FROM read_parquet('{source.Replace("'", "''")}') " +
               $"WHERE run_id = '{EnergyRows.QueryRunId}' AND potential > 0.99 AND kinetic < 0.5";

        _expectedRows = StoreCold();
        Check("DuckDB, cold", DuckDbCold());
        Console.WriteLine($"// {EnergyRows.TablePath}: {EnergyRows.BytesOnDisk(_root, ".parquet"):N0} bytes of Parquet; the query returns {_expectedRows:N0} rows on both sides");
    }

    private void Check(string side, long rows)
    {
        if (rows != _expectedRows)
        {
            throw new InvalidOperationException($"The store's query returned {_expectedRows} rows but {side} returned {rows}: the two sides do not do the same work.");
        }
    }

    private static DuckDBConnection OpenDuckDb()
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SET threads=1;";
        command.ExecuteNonQuery();
        return connection;
    }

    // Every column of every row is read with its typed getter, so the result is materialised as the store's is.
    private long QueryDuckDb(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _sql;
        using var reader = command.ExecuteReader();
        int ensId = reader.GetOrdinal("ens_id"), runId = reader.GetOrdinal("run_id"), microId = reader.GetOrdinal("micro_id");
        int potential = reader.GetOrdinal("potential"), kinetic = reader.GetOrdinal("kinetic");
        if (reader.FieldCount != 5)
        {
            throw new InvalidOperationException($"DuckDB returned {reader.FieldCount} columns; expected the table's 5.");
        }

        long rows = 0;
        while (reader.Read())
        {
            _ = reader.GetString(ensId);
            _ = reader.GetString(runId);
            _ = reader.GetInt64(microId);
            _ = reader.GetDouble(potential);
            _ = reader.GetDouble(kinetic);
            rows++;
        }

        return rows;
    }
}
