using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;
using Xunit.Abstractions;
using Table = Store.Core.Tables.Table;

namespace Store.Interop.Tests;

/// <summary>
/// Parquet and Arrow IPC tables are folders of parts, one per flush (<c>t.parquet/part-000000.parquet</c>, …):
/// other tools open the folder and read every row exactly, in the store's order; a reader running while the
/// store flushes and compacts sees whole flushes only; a part with other columns is refused by name; a single
/// file another tool wrote stays one file until <c>Compact</c> makes it a folder. The readers: DuckDB (globbing
/// the folder), Arrow C++ (pyarrow's Parquet code, standing in for pyarrow, which cannot be installed here) over
/// the files pyarrow.dataset would find, apache-arrow for IPC parts, and polars when nodejs-polars is installed.
/// </summary>
[Trait("TimeZone", "any")]
public class PartFolderInteropTests(ITestOutputHelper output) : IDisposable
{
    // Five flushes of these sizes. Nulls arrive late, each in another column (value in flush 2, name in
    // flush 3, at in flush 4), so the parts differ in which columns are optional.
    private static readonly int[] FlushSizes = [3, 1000, 1, 250, 7];
    private static readonly int Total = FlushSizes.Sum();
    private const int NullValueRow = 1003;
    private static readonly int[] NullNameRows = [1100, 1101];
    private const int NullAtRow = 1258;

    private static readonly string[] PartsOfFive = [.. Enumerable.Range(0, 5).Select(p => $"part-{p:D6}")];

    private readonly TempFolder _temp = new();
    private readonly TempFolder _work = new(); // beside the store's root: stop files

    public void Dispose()
    {
        _temp.Dispose();
        _work.Dispose();
    }

    /// <summary>One row as every reader reports it: timestamps as microseconds since 1970 (UTC).</summary>
    private sealed record Row(long Key, string? Name, double? Value, long? At);

    // Row i, computed here, independently of any reader: empty and non-ASCII strings, doubles that are not
    // short decimals, timestamps before 1970 and with every microsecond digit.
    private static Row Expected(int i) => new(
        i,
        NullNameRows.Contains(i) ? null : i % 7 == 0 ? "" : i % 5 == 1 ? $"ré{i}·名" : $"row{i}",
        i == NullValueRow ? null : i / 7.0 - 3,
        i == NullAtRow ? null : -86_400_000_001L + i * 3_600_000_017L);

    private static IReadOnlyList<Row> ExpectedRows(int start, int count) => [.. Enumerable.Range(start, count).Select(Expected)];

    private static Table Rows(int start, int count)
    {
        var rows = ExpectedRows(start, count);
        return Table.FromColumns(
            ("key", TableColumn.Of<long>([.. rows.Select(r => (long?)r.Key)])),
            ("name", TableColumn.Of([.. rows.Select(r => r.Name)])),
            ("value", TableColumn.Of<double>([.. rows.Select(r => r.Value)])),
            ("at", TableColumn.Timestamps(TableColumn.TimestampType, [.. rows.Select(r => r.At)])));
    }

    // The five flushes; returns the table's folder.
    private string WriteFiveFlushes(DiskFormat format, string extension)
    {
        using (var store = new TableStore(_temp.Path, "w", format))
        {
            var start = 0;
            foreach (var size in FlushSizes)
            {
                store.Append("t", Rows(start, size));
                store.Flush();
                start += size;
            }

            Assert.Equal(ExpectedRows(0, Total), RowsOf(store.Read("t")!.Batches));
        }

        var folder = _temp.Sub("t" + extension);
        Assert.True(Directory.Exists(folder), $"{folder} is a folder");
        Assert.Equal(PartsOfFive.Select(p => p + extension), Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        return folder;
    }

    [Fact]
    public void Flush_FiveTimes_ParquetFolderHoldsOnePartPerFlush_AllColumnsOptional()
    {
        var folder = WriteFiveFlushes(DiskFormat.Parquet, ".parquet");

        // DuckDB's view of each part's footer: one row group of the flush's rows.
        var groups = Readers.DuckDbSql($"SELECT file_name, count(DISTINCT row_group_id)::VARCHAR, max(row_group_num_rows)::VARCHAR FROM parquet_metadata('{folder}/*.parquet') GROUP BY ALL ORDER BY file_name").Rows;
        Assert.Equal(
            PartsOfFive.Select((p, i) => $"{p}.parquet 1 {FlushSizes[i]}"),
            groups.Select(r => $"{Path.GetFileName(r[0].GetString())} {r[1].GetString()} {r[2].GetString()}"));
        var repetition = Readers.DuckDbSql($"SELECT file_name, name, repetition_type FROM parquet_schema('{folder}/*.parquet') WHERE type IS NOT NULL ORDER BY file_name, column_id").Rows
            .GroupBy(r => Path.GetFileName(r[0].GetString())!)
            .ToDictionary(g => g.Key, g => string.Join(" ", g.Select(r => $"{r[1].GetString()}:{r[2].GetString()}")));
        // Every column optional in every part, with nulls or without: a dataset reader taking the schema from any one part agrees with all.
        Assert.All(PartsOfFive, p => Assert.Equal("key:OPTIONAL name:OPTIONAL value:OPTIONAL at:OPTIONAL", repetition[p + ".parquet"]));
    }

    [Fact]
    public void Flush_FiveTimes_DuckDbReadsTheParquetFolderExactly()
    {
        var folder = WriteFiveFlushes(DiskFormat.Parquet, ".parquet");

        var seen = Readers.DuckDbSql($"SELECT key::VARCHAR, name, value, epoch_us(\"at\")::VARCHAR FROM read_parquet('{folder}/*.parquet') ORDER BY key");
        Assert.Equal(["VARCHAR", "VARCHAR", "DOUBLE", "VARCHAR"], seen.Columns.Select(c => c.Type));
        Assert.Equal(ExpectedRows(0, Total), seen.Rows.Select(RowOf));
        var types = Readers.DuckDbSql($"SELECT * FROM read_parquet('{folder}/*.parquet') LIMIT 0").Columns;
        Assert.Equal(["key BIGINT", "name VARCHAR", "value DOUBLE", "at TIMESTAMP WITH TIME ZONE"], types.Select(c => $"{c.Name} {c.Type}"));

        // Without ORDER BY DuckDB may interleave files; its own file names and row numbers give the store's order.
        var order = Readers.DuckDbSql($"SELECT key::VARCHAR, filename FROM read_parquet('{folder}/*.parquet', filename = true, file_row_number = true) ORDER BY filename, file_row_number").Rows;
        Assert.Equal(Enumerable.Range(0, Total).Select(i => i.ToString(CultureInfo.InvariantCulture)), order.Select(r => r[0].GetString()));
    }

    [Fact]
    public void Flush_FiveTimes_ArrowCppReadsTheParquetFolderInTheStoresOrder()
    {
        var folder = WriteFiveFlushes(DiskFormat.Parquet, ".parquet");

        // pyarrow.dataset.dataset(folder, format="parquet").to_table(), as Arrow C++ does it: no sorting afterwards.
        var (files, batches) = ArrowCpp.ReadDataset(folder);
        Assert.Equal(PartsOfFive.Select(p => Path.Combine(folder, p + ".parquet")), files);
        Assert.All(files, file => Assert.Equal(
            ["key: int64", "name: utf8", "value: double", "at: Timestamp(Microsecond, UTC)"],
            ArrowCpp.Read(file).Schema.FieldsList.Select(Describe)));
        Assert.Equal(ExpectedRows(0, Total), RowsOf(batches));
    }

    [PolarsFact]
    public void Flush_FiveTimes_PolarsScansTheParquetFolderInTheStoresOrder()
    {
        var folder = WriteFiveFlushes(DiskFormat.Parquet, ".parquet");

        var seen = Readers.Polars("parquet", $"{folder}/*.parquet");
        Assert.Equal(
            ["key DataType(Int64)", "name DataType(String)", "value DataType(Float64)", "at DataType(Datetime(us,UTC))"],
            seen.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(ExpectedRows(0, Total), seen.Rows.Select(RowOf));
    }

    [Fact]
    public void Flush_FiveTimes_ApacheArrowReadsTheIpcFolderAsADatasetInTheStoresOrder()
    {
        var folder = WriteFiveFlushes(DiskFormat.Ipc, ".arrow");

        // pyarrow.dataset.dataset(folder, format="ipc").to_table(): the parts it finds, in path order, each read whole.
        var (files, seen) = Readers.ArrowDataset(folder);
        Assert.Equal(PartsOfFive.Select(p => Path.Combine(folder, p + ".arrow")), files);
        Assert.Equal(["key Int64", "name Utf8", "value Float64", "at Timestamp<MICROSECOND, UTC>"], seen.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(ExpectedRows(0, Total), seen.Rows.Select(RowOf));
    }

    [PolarsFact]
    public void Flush_FiveTimes_PolarsScansTheIpcFolderInTheStoresOrder()
    {
        var folder = WriteFiveFlushes(DiskFormat.Ipc, ".arrow");

        var seen = Readers.Polars("ipc", $"{folder}/*.arrow");
        Assert.Equal(
            ["key DataType(Int64)", "name DataType(String)", "value DataType(Float64)", "at DataType(Datetime(us,UTC))"],
            seen.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(ExpectedRows(0, Total), seen.Rows.Select(RowOf));
    }

    /// <summary>
    /// While the store appends and flushes 40 × 1,000 rows (and compacts three times), DuckDB in another
    /// process reads the folder again and again. Every read that succeeds sees whole flushes: a multiple of
    /// 1,000 rows, never fewer than the read before, keys 0 … n-1 each once. The one failure allowed is the
    /// one Compact documents: a read that listed the old parts before the folder was swapped and opened one
    /// of them after it, which is then gone ("No such file or directory", naming that part), during a
    /// compaction; the reader lists again and its next reads succeed.
    /// </summary>
    [Fact]
    public void AppendFlushAndCompact_WhileDuckDbReadsTheFolder_EveryReadSeesWholeFlushes()
    {
        const int Flushes = 40;
        const int PerFlush = 1000;
        int[] compactAfter = [13, 26, 33];
        var folder = _temp.Sub("t.parquet");
        var compactions = new List<(long Start, long End)>();
        IReadOnlyList<PollRead> reads;
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            store.Append("t", Keys(0, PerFlush));
            store.Flush(); // the folder exists before the reader starts

            using var poll = DuckDbPoll.Start(
                $"SELECT count(*)::VARCHAR, count(DISTINCT key)::VARCHAR, min(key)::VARCHAR, max(key)::VARCHAR FROM read_parquet('{folder}/*.parquet')",
                _work.Sub("stop"));
            Directory.CreateDirectory(_work.Path);
            poll.WaitForReads(1, TimeSpan.FromSeconds(60));
            for (var f = 1; f < Flushes; f++)
            {
                store.Append("t", Keys(f * PerFlush, PerFlush));
                store.Flush();
                if (compactAfter.Contains(f))
                {
                    var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    Assert.True(store.Compact("t"));
                    compactions.Add((start, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                }

                if (f % 2 == 0)
                {
                    poll.WaitForReads(poll.Count + 2, TimeSpan.FromSeconds(60)); // a read that began after this flush has ended
                }
            }

            reads = poll.Stop(TimeSpan.FromSeconds(60));
        }

        var failed = Enumerable.Range(0, reads.Count).Where(i => reads[i].Error is not null).ToList();
        output.WriteLine($"{reads.Count} reads, {failed.Count} failed; row counts seen: {string.Join(" ", reads.Where(r => r.Rows is not null).Select(r => r.Rows![0][0].GetString()).Distinct())}");
        foreach (var i in failed)
        {
            var failure = reads[i];
            output.WriteLine($"{failure.Start}..{failure.End}: {failure.Error}");
            Assert.True(i + 1 < reads.Count && reads[i + 1].Error is null, // the parts it lists again stay until the next compaction
                $"the read after a failed one failed too: {(i + 1 < reads.Count ? reads[i + 1].Error : "none")}");
            Assert.Matches(VanishedPart(folder), failure.Error!);
            Assert.True(compactions.Any(c => failure.Start <= c.End + 50 && failure.End >= c.Start - 50),
                $"a read failed outside every compaction ({string.Join(", ", compactions)}): {failure.Start}..{failure.End} {failure.Error}");
        }

        long previous = 0;
        foreach (var read in reads.Where(r => r.Error is null))
        {
            var values = read.Rows!.Single().Select(v => long.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray();
            var (count, distinct, min, max) = (values[0], values[1], values[2], values[3]);
            Assert.True(count % PerFlush == 0 && count >= previous, $"a read saw {count} rows after one that saw {previous}");
            Assert.True(distinct == count && min == 0 && max == count - 1, $"a read saw {count} rows with {distinct} distinct keys from {min} to {max}");
            previous = count;
        }

        Assert.Null(reads[^1].Error); // the last read, after the store closed
        Assert.Equal(Flushes * PerFlush, previous);
        Assert.True(reads.Select(r => r.Rows?[0][0].GetString()).Distinct().Count() >= Flushes / 4, "the reader saw the table grow");

        // Compacted three times, then six more flushes: parts 0 … 6, and no staging folder or old table left beside it.
        Assert.Equal(Enumerable.Range(0, 7).Select(p => $"part-{p:D6}.parquet"), Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["t.parquet"], Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Where(n => !TempFolder.IsStoreFile(n!)));
    }

    /// <summary>
    /// The failure the concurrent readers may meet, made to happen: a reader lists the parts, the table is
    /// compacted, and the reader opens what it listed: a part is gone, and the read fails as a whole (no partial
    /// result). Listing again reads every row. A reader that had a part open before the swap still reads it.
    /// </summary>
    [Fact]
    public async Task Compact_AfterAReaderListedTheParts_OpeningThemFailsAndListingAgainReadsEveryRow()
    {
        var folder = _temp.Sub("t.parquet");
        using var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet);
        for (var f = 0; f < 3; f++)
        {
            store.Append("t", Keys(f * 100, 100));
            store.Flush();
        }

        var listed = Readers.DuckDbSql($"SELECT file FROM glob('{folder}/*.parquet') ORDER BY file").Rows.Select(r => r[0].GetString()!).ToList();
        Assert.Equal(3, listed.Count);
        using var open = new ParquetSharp.Arrow.FileReader(listed[2]);

        Assert.True(store.Compact("t"));

        var stale = DuckDbTry($"SELECT count(*)::VARCHAR FROM read_parquet([{string.Join(", ", listed.Select(f => $"'{f}'"))}])");
        Assert.Null(stale.Rows);
        Assert.Matches(VanishedPart(folder), stale.Error!);

        var relisted = Readers.DuckDbSql($"SELECT count(*)::VARCHAR, count(DISTINCT key)::VARCHAR, string_agg(DISTINCT filename, ' ') FROM read_parquet('{folder}/*.parquet', filename = true)").Rows.Single();
        Assert.Equal(["300", "300", Path.Combine(folder, "part-000000.parquet")], relisted.Select(v => v.GetString()));

        using var batches = open.GetRecordBatchReader();
        var old = new List<RecordBatch>();
        while (await batches.ReadNextRecordBatchAsync() is { } batch)
        {
            old.Add(batch);
        }

        Assert.Equal(Enumerable.Range(200, 100).Select(i => (long?)i), old.SelectMany(b => ((Int64Array)b.Column("key")).ToList()));
    }

    [Fact]
    public void Read_APartWithOtherColumnsDroppedIntoTheFolder_IsRefusedNamingItAndOtherTablesServe()
    {
        using (var store = new TableStore(_temp.Path, "w", DiskFormat.Parquet))
        {
            store.Append("t", Rows(0, 10));
            store.Flush();
            store.Append("t", Rows(10, 5));
            store.Flush();
            store.Append("u", Rows(0, 4));
            store.Flush();
        }

        // Another tool (Arrow C++, as pyarrow's pq.write_table) writes a file of its own columns into t's folder.
        var foreign = Path.Combine(_temp.Sub("t.parquet"), "part-000002.parquet");
        ArrowCpp.Write(foreign, new RecordBatch(
            new Schema([new Field("key", Int32Type.Default, nullable: true), new Field("comment", StringType.Default, nullable: true)], null),
            [new Int32Array.Builder().AppendRange([1, 2]).Build(), new StringArray.Builder().AppendRange(["a", "b"]).Build()],
            2));

        using (var store = new TableStore(_temp.Path, "a", DiskFormat.Parquet))
        {
            var read = Assert.Throws<CorruptDataException>(() => store.Read("t"));
            Assert.StartsWith(foreign, read.Message);
            Assert.Equal(foreign, read.EntryPath);
            var query = Assert.Throws<CorruptDataException>(() => store.Query("t", filter: "key >= 0"));
            Assert.StartsWith(foreign, query.Message);
            Assert.Equal(foreign, query.EntryPath);
            output.WriteLine(read.Message);

            // The other table keeps serving: reads, queries, appends and flushes.
            Assert.Equal(["t", "u"], store.Available());
            Assert.Equal(ExpectedRows(0, 4), RowsOf(store.Read("u")!.Batches));
            Assert.Equal(ExpectedRows(2, 2), RowsOf(store.Query("u", filter: "key >= 2")!.Batches));
            store.Append("u", Rows(4, 3));
            store.Flush();
            Assert.Equal(ExpectedRows(0, 7), RowsOf(store.Read("u")!.Batches));
        }

        var u = Readers.DuckDbSql($"SELECT key::VARCHAR, name, value, epoch_us(\"at\")::VARCHAR FROM read_parquet('{_temp.Sub("u.parquet")}/*.parquet') ORDER BY key");
        Assert.Equal(ExpectedRows(0, 7), u.Rows.Select(RowOf));
    }

    [Fact]
    public void Compact_ASingleParquetFileAnotherToolWrote_StaysOneFileWhenAppendedThenBecomesAFolder()
    {
        // The file pyarrow's pq.write_table would write (Arrow C++'s writer): optional columns, the Arrow schema in the footer.
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("t.parquet");
        ArrowCpp.Write(file, Rows(0, 1000).Batches.Single());
        var groupsBefore = RowGroups(file);

        using (var store = new TableStore(_temp.Path, "a", DiskFormat.Parquet))
        {
            Assert.Equal(ExpectedRows(0, 1000), RowsOf(store.Read("t")!.Batches));
            store.Append("t", Rows(1000, 100));
            store.Flush();
            store.Append("t", Rows(1100, 161));
            store.Flush();
        }

        // Still one file, every row in it, read by DuckDB and Arrow C++ in order.
        Assert.True(File.Exists(file), $"{file} is still a file");
        Assert.Equal(groupsBefore + 2, RowGroups(file)); // each flush added a row group
        Assert.Equal(ExpectedRows(0, Total), Readers.DuckDbSql($"SELECT key::VARCHAR, name, value, epoch_us(\"at\")::VARCHAR FROM read_parquet('{file}', file_row_number = true) ORDER BY file_row_number").Rows.Select(RowOf));
        Assert.Equal(ExpectedRows(0, Total), RowsOf(ArrowCpp.Read(file).Batches));

        using (var store = new TableStore(_temp.Path, "a", DiskFormat.Parquet))
        {
            Assert.True(store.Compact("t"));
            Assert.False(store.Compact("t")); // one part already
            Assert.True(Directory.Exists(file), $"{file} is a folder");
            Assert.Equal(["t.parquet"], Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Where(n => !TempFolder.IsStoreFile(n!))); // the old file is gone
            Assert.Equal(["part-000000.parquet"], Directory.GetFileSystemEntries(file).Select(Path.GetFileName));
            Assert.Equal(ExpectedRows(0, Total), Readers.DuckDbSql($"SELECT key::VARCHAR, name, value, epoch_us(\"at\")::VARCHAR FROM read_parquet('{file}/*.parquet') ORDER BY key").Rows.Select(RowOf));
            var (files, batches) = ArrowCpp.ReadDataset(file);
            Assert.Equal([Path.Combine(file, "part-000000.parquet")], files);
            Assert.Equal(ExpectedRows(0, Total), RowsOf(batches));

            // From now on a flush adds a part.
            store.Append("t", Rows(Total, 9));
            store.Flush();
            Assert.Equal(["part-000000.parquet", "part-000001.parquet"], Directory.GetFileSystemEntries(file).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(ExpectedRows(0, Total + 9), RowsOf(ArrowCpp.ReadDataset(file).Batches));
            Assert.Equal(ExpectedRows(0, Total + 9), Readers.DuckDbSql($"SELECT key::VARCHAR, name, value, epoch_us(\"at\")::VARCHAR FROM read_parquet('{file}/*.parquet') ORDER BY key").Rows.Select(RowOf));
        }

    }

    // DuckDB's two words for a part it listed that is gone: opening it (a glob it expanded) or expanding it (a name it was given).
    private static System.Text.RegularExpressions.Regex VanishedPart(string folder)
    {
        var part = System.Text.RegularExpressions.Regex.Escape(Path.Combine(folder, "part-")) + @"\d{6}\.parquet";
        return new($@"^IO Error: (Cannot open file ""{part}"": No such file or directory|No files found that match the pattern ""{part}"")");
    }

    // A key column and a payload.
    private static Table Keys(int start, int count) => Table.FromColumns(
        ("key", TableColumn.Of<long>([.. Enumerable.Range(start, count).Select(i => (long?)i)])),
        ("payload", TableColumn.Of<double>([.. Enumerable.Range(start, count).Select(i => (double?)i / 3)])));

    private static long RowGroups(string file) =>
        long.Parse(Readers.DuckDbSql($"SELECT count(DISTINCT row_group_id)::VARCHAR FROM parquet_metadata('{file}')").Rows.Single()[0].GetString()!, CultureInfo.InvariantCulture);

    // One DuckDB run that may fail: its rows, or its error.
    private PollRead DuckDbTry(string statement)
    {
        var stop = _work.Sub("stop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work.Path);
        File.WriteAllText(stop, "stop");
        using var poll = DuckDbPoll.Start(statement, stop);
        return poll.Stop(TimeSpan.FromSeconds(60)).Single();
    }

    private static string Describe(Field field) => field.DataType switch
    {
        TimestampType t => $"{field.Name}: Timestamp({t.Unit}, {t.Timezone})",
        var type => $"{field.Name}: {type.Name}",
    };

    // A reader's row: key and at as integer strings (or numbers), name a string, value a number; nulls as null.
    private static Row RowOf(JsonElement[] row) => new(
        Integer(row[0])!.Value,
        row[1].ValueKind == JsonValueKind.Null ? null : row[1].GetString(),
        row[2].ValueKind == JsonValueKind.Null ? null : row[2].GetDouble(),
        Integer(row[3]));

    private static long? Integer(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Number => value.GetInt64(),
        _ => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
    };

    // Rows of record batches with the columns key (int64), name (utf8), value (double), at (timestamp µs UTC).
    private static List<Row> RowsOf(IEnumerable<RecordBatch> batches)
    {
        var rows = new List<Row>();
        foreach (var batch in batches)
        {
            var key = (Int64Array)batch.Column("key");
            var name = (StringArray)batch.Column("name");
            var value = (DoubleArray)batch.Column("value");
            var at = (TimestampArray)batch.Column("at");
            Assert.Equal((TimeUnit.Microsecond, "UTC"), (((TimestampType)at.Data.DataType).Unit, ((TimestampType)at.Data.DataType).Timezone));
            for (var i = 0; i < batch.Length; i++)
            {
                rows.Add(new Row(key.GetValue(i)!.Value, name.GetString(i), value.GetValue(i), at.GetValue(i)));
            }
        }

        return rows;
    }
}
