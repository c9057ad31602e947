using System.Security.Cryptography;
using System.Text.Json;
using Store.Actors.CrashWorker;
using Store.Core.Tables;
using Store.Core.Tests;
using Store.Interop.Tests;

namespace Store.Actors.Tests.Crash;

/// <summary>
/// Checks a crash worker's store after a kill: it reopens (recovering its journal) without an
/// error, holds every acknowledged append exactly once at the range it was given and no row twice,
/// keeps its column types, and its files open in the format's reference reader (numpy,
/// zarr-python, zarrita, DuckDB, apache-arrow) with the same values the store reads.
/// </summary>
internal static class CrashVerifier
{
    private const string TableSchema = "run: int64, producer: utf8, sequence: int64, part: int32";

    /// <summary>Every acknowledged append so far, by producer and sequence (a later run's acknowledgement of a retry replaces nothing: sequences are per run).</summary>
    public sealed class Acknowledged
    {
        private readonly Dictionary<(string Producer, long Sequence), Ack> _acks = [];

        public int Count => _acks.Count;

        public IEnumerable<Ack> All => _acks.Values;

        public void Add(IEnumerable<Ack> acks)
        {
            foreach (var ack in acks)
            {
                _acks[(ack.Producer, ack.Sequence)] = ack;
            }
        }
    }

    /// <summary>Files written by formats whose every step is atomic open in their reference reader right after a kill, before the store recovers them.</summary>
    public static void FilesReadableAfterCrash(string root, string format, string context)
    {
        if (format is "csv" or "json")
        {
            return; // an append cut by the kill may leave a partial last line until the store reopens the table (its sidecar says where it ends)
        }

        var file = EntryFile(root, format);
        if (File.Exists(file) || Directory.Exists(file))
        {
            ReferenceRows(root, format, context);
        }
    }

    /// <summary>Reopens the store, checks every acknowledged append once at its range, closes it (flushing), and checks the files against the reference reader.</summary>
    /// <returns>The number of rows the store holds.</returns>
    public static async Task<long> Recovered(string root, string format, Acknowledged acknowledged, string context, ServerJournal? journal = null)
    {
        List<(string Producer, long Sequence, long Part)> rows;
        var options = CrashFormat.Options(root, format, journal);
        if (CrashFormat.IsArray(format))
        {
            await using var arrays = ArrayActorStore.Open(options);
            var values = (await arrays.ReadAsync(CrashFormat.Entry).WaitAsync(TimeSpan.FromSeconds(60)))!.ToArray<long>();
            rows = [.. Enumerable.Range(0, values.Length / 4).Select(r => ($"r{values[r * 4]}p{values[(r * 4) + 1]}", values[(r * 4) + 2], values[(r * 4) + 3]))];
        }
        else
        {
            await using var tables = TableActorStore.Open(options);
            var table = (await tables.ReadAsync(CrashFormat.Entry).WaitAsync(TimeSpan.FromSeconds(60)))!;
            var schema = string.Join(", ", table.Schema.FieldsList.Select(f => $"{f.Name}: {f.DataType.Name}"));
            Assert.True(TableSchema == schema, $"{context}: the schema changed to {schema}");
            var (producers, sequences, parts) = (table.Strings("producer"), table.Values<long>("sequence"), table.Values<int>("part"));
            rows = [.. Enumerable.Range(0, (int)table.RowCount).Select(r => (producers[r]!, sequences[r]!.Value, (long)parts[r]!.Value))];
        }

        var duplicates = rows.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{context}: rows appear twice: {string.Join(", ", duplicates.Take(5))}");
        foreach (var ack in acknowledged.All)
        {
            for (var part = 0L; part < ack.Count; part++)
            {
                var at = ack.Start + part;
                Assert.True(at < rows.Count, $"{context}: acknowledged {ack} is missing: the store has {rows.Count} rows");
                Assert.True(rows[(int)at] == (ack.Producer, ack.Sequence, part), $"{context}: acknowledged {ack} part {part}: row {at} holds {rows[(int)at]}");
            }
        }

        var seen = ReferenceRows(root, format, context);
        Assert.True(seen.SequenceEqual(rows), $"{context}: the reference reader sees {seen.Count} rows, the store {rows.Count}, or other values");
        return rows.Count;
    }

    private static string EntryFile(string root, string format) => format switch
    {
        "npy" => Path.Combine(root, CrashFormat.Entry + ".npy"),
        "npz" => Path.Combine(root, "store.npz"),
        "parquet" => Path.Combine(root, CrashFormat.Entry + ".parquet"),
        "ipc" => Path.Combine(root, CrashFormat.Entry + ".arrow"),
        "csv" => Path.Combine(root, CrashFormat.Entry + ".csv"),
        "json" => Path.Combine(root, CrashFormat.Entry + ".jsonl"),
        "zarr2" => Path.Combine(root, CrashFormat.Entry, ".zarray"),
        _ => Path.Combine(root, CrashFormat.Entry, "zarr.json"),
    };

    /// <summary>The rows as the format's reference reader sees them in the files.</summary>
    private static List<(string, long, long)> ReferenceRows(string root, string format, string context)
    {
        var file = EntryFile(root, format);
        switch (format)
        {
            case "npy" or "npz" or "zarr2":
                var load = format switch
                {
                    "npy" => "a = np.load(sys.argv[1])",
                    "npz" => "a = np.load(sys.argv[1])['" + CrashFormat.Entry + "']",
                    _ => "import zarr\na = zarr.open(sys.argv[1][:-len('/.zarray')], mode='r')[:]",
                };
                var json = Numpy.Run(load + "\nprint(json.dumps(a.astype('<i8').tolist()))", file);
                return [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Select(r => ($"r{r[0].GetInt64()}p{r[1].GetInt64()}", r[2].GetInt64(), r[3].GetInt64()))];
            case "zarr3" or "zarr3-sharded":
                var read = Readers.Zarrita(root, [CrashFormat.Entry]).GetProperty(CrashFormat.Entry);
                var shape = read.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
                // zarrita gives the sha256 of the whole array; the rows it must equal are the store's, compared by hash.
                using (var store = new Store.Core.Arrays.ArrayStore(root, "r", Store.Core.DiskFormat.Zarr))
                {
                    var values = store.Read(CrashFormat.Entry)!;
                    Assert.True(shape.SequenceEqual(values.Shape), $"{context}: zarrita sees shape ({string.Join(", ", shape)})");
                    Assert.True(Convert.ToHexStringLower(SHA256.HashData(values.Bytes)) == read.GetProperty("sha256").GetString(), $"{context}: zarrita reads other values");
                    var longs = values.ToArray<long>();
                    return [.. Enumerable.Range(0, longs.Length / 4).Select(r => ($"r{longs[r * 4]}p{longs[(r * 4) + 1]}", longs[(r * 4) + 2], longs[(r * 4) + 3]))];
                }

            default:
                return ReferenceRows(TableFiles.Read(file, format), context);
        }
    }

    private static List<(string, long, long)> ReferenceRows(ReadResult result, string context)
    {
        var names = result.Columns.Select(c => c.Name).ToList();
        Assert.True(names.SequenceEqual(["run", "producer", "sequence", "part"]), $"{context}: the reader sees columns ({string.Join(", ", names)})");
        return [.. result.Rows.Select(r => (Text(r[1]), long.Parse(Text(r[2])), long.Parse(Text(r[3]))))];
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
