using Store.Core;
using Store.Core.Tables;

namespace Store.Benchmarks;

/// <summary>
/// The energies table of issue 14 ("Tables at scale"), written flush by flush: columns ens_id
/// (always <c>"ens0"</c>), run_id, micro_id, potential and kinetic; 200 flushes of 20,000 rows make
/// 4,000,000 rows. Flush <c>f</c> holds 8 runs of 2,500 rows, run after run: run <c>r</c>
/// (<c>"run{r}"</c>) gets micro_ids <c>f × 2,500 … f × 2,500 + 2,499</c>. So every flush spans all
/// runs (min/max statistics cannot prune run_id) while micro_id rises from flush to flush (they can
/// prune it). potential and kinetic are uniform doubles from one <c>Random(42)</c>, drawn row by row
/// (potential, then kinetic). One instance produces the flushes in order.
/// </summary>
public sealed class EnergyRows
{
    /// <summary>The table's path in the store.</summary>
    public const string TablePath = "energies";

    /// <summary>Runs per flush.</summary>
    public const int Runs = 8;

    /// <summary>Rows of each run in each flush.</summary>
    public const int RowsPerRun = 2_500;

    /// <summary>Rows per flush: 8 runs × 2,500.</summary>
    public const int FlushRows = Runs * RowsPerRun;

    /// <summary>Flushes in the full table: 200 × 20,000 = 4,000,000 rows.</summary>
    public const int Flushes = 200;

    /// <summary>The run the scale query selects.</summary>
    public const string QueryRunId = "run3";

    /// <summary>The scale query's filter (in the store's filter language).</summary>
    public const string QueryFilter = "potential > 0.99 and kinetic < 0.5";

    private readonly Random _random = new(42);
    private readonly string[] _ensIds = Enumerable.Repeat("ens0", FlushRows).ToArray();
    private readonly string[] _runIds = Enumerable.Range(0, FlushRows).Select(i => $"run{i / RowsPerRun}").ToArray();
    private int _flush;

    /// <summary>The number of flushes produced so far.</summary>
    public int Produced => _flush;

    /// <summary>The rows of the next flush.</summary>
    public Table Next()
    {
        var microIds = new long[FlushRows];
        var potential = new double[FlushRows];
        var kinetic = new double[FlushRows];
        for (var i = 0; i < FlushRows; i++)
        {
            microIds[i] = ((long)_flush * RowsPerRun) + (i % RowsPerRun);
            potential[i] = _random.NextDouble();
            kinetic[i] = _random.NextDouble();
        }

        _flush++;
        return Table.FromColumns(
            ("ens_id", TableColumn.Of(_ensIds)),
            ("run_id", TableColumn.Of(_runIds)),
            ("micro_id", TableColumn.Of<long>(microIds)),
            ("potential", TableColumn.Of<double>(potential)),
            ("kinetic", TableColumn.Of<double>(kinetic)));
    }

    /// <summary>Appends the next <paramref name="flushes"/> flushes to <paramref name="store"/>, flushing after each.</summary>
    public void AppendAndFlush(TableStore store, int flushes)
    {
        for (var f = 0; f < flushes; f++)
        {
            store.Append(TablePath, Next());
            store.Flush();
        }
    }

    /// <summary>Writes a fresh table of <paramref name="flushes"/> flushes (mode <c>w</c>) under <paramref name="root"/> in <paramref name="format"/>.</summary>
    public static void Build(string root, DiskFormat format, int flushes = Flushes)
    {
        using var store = new TableStore(root, "w", format);
        new EnergyRows().AppendAndFlush(store, flushes);
    }

    /// <summary>The scale query (run3, high potential, low kinetic) on <paramref name="store"/>: the number of rows it returns.</summary>
    public static long Query(TableStore store) =>
        store.Query(TablePath, runId: QueryRunId, filter: QueryFilter)?.RowCount
        ?? throw new InvalidOperationException($"The store has no '{TablePath}' table.");

    /// <summary>
    /// What an entry occupies on disk: the file <c>&lt;root&gt;/energies&lt;extension&gt;</c>, or the
    /// sum of the files in it when it is a folder of part files.
    /// </summary>
    public static long BytesOnDisk(string root, string extension)
    {
        var path = Path.Combine(root, TablePath + extension);
        return Directory.Exists(path)
            ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
            : File.Exists(path) ? new FileInfo(path).Length : 0;
    }
}
