using System.Text;
using Store.Core.Formats.Text;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

/// <summary>
/// Queries over CSV and JSON lines tables stream the file a window at a time (issue 14): over a
/// table of many windows they return exactly the rows a full read filtered by hand returns, with
/// the sidecar's types or inferred ones; an error in a late window still names the file and the
/// line (or byte offset); bytes past the committed length are never returned.
/// </summary>
public class TextScanTests : IDisposable
{
    private const string Filter = "potential > 0.5 and ok == true";
    private const string RunId = "run3";
    private const int Rows = 30_000;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat, bool> FormatsWithAndWithoutSidecar => new()
    {
        { DiskFormat.Csv, true },
        { DiskFormat.Csv, false },
        { DiskFormat.Json, true },
        { DiskFormat.Json, false },
    };

    public static TheoryData<DiskFormat> TextFormats => new() { DiskFormat.Csv, DiskFormat.Json };

    [Theory]
    [MemberData(nameof(FormatsWithAndWithoutSidecar))]
    public void Query_TableOfManyWindows_ReturnsTheRowsAFilteredReadReturns(DiskFormat format, bool sidecar)
    {
        var table = Energies(Rows);
        var file = Written(format, table);
        if (!sidecar)
        {
            File.Delete(TextSidecar.FileOf(file)); // as another tool would leave it: types are inferred
        }

        Assert.True(new FileInfo(file).Length > 4 * TextTableCodec.WindowBytes);
        using var store = new TableStore(_temp.Path, "r", format);
        var queried = store.Query("t", runId: RunId, filter: Filter)!;
        var read = store.Read("t")!;

        Assert.NotEmpty(Cells(queried));
        Assert.Equal(Cells(Matches(read)), Cells(queried));
        Assert.Equal(Cells(Matches(table)), Cells(queried));
        Assert.Equal(Cells(table), Cells(read));
        Assert.Equal(Rows, store.Get("t")!.RowCount);
    }

    [Theory]
    [MemberData(nameof(FormatsWithAndWithoutSidecar))]
    public void Query_BadLineInALateWindow_FailsNamingFileAndLine(DiskFormat format, bool sidecar)
    {
        var file = Written(format, Energies(Rows));
        if (!sidecar)
        {
            File.Delete(TextSidecar.FileOf(file));
        }

        // A line at least two windows in, spoilt without changing its length (so it stays committed).
        var bytes = File.ReadAllBytes(file);
        var start = LineStartAfter(bytes, (5 * TextTableCodec.WindowBytes) / 2, line => format == DiskFormat.Json || (line.Contains('.') && !line.Contains('"')));
        var line = bytes.AsSpan(0, start).Count((byte)'\n') + 1;
        if (format == DiskFormat.Csv)
        {
            bytes[System.Array.IndexOf(bytes, (byte)'.', start)] = (byte)','; // one field more
        }
        else
        {
            bytes[start] = (byte)'['; // no longer JSON
        }

        File.WriteAllBytes(file, bytes);

        using var store = new TableStore(_temp.Path, "r", format);
        var error = Assert.Throws<CorruptDataException>(() => store.Query("t", runId: RunId, filter: Filter));
        Assert.StartsWith(file + ": ", error.Message);
        Assert.Contains(format == DiskFormat.Csv ? $"line {line} has 7 fields; expected 6" : $"line {line} is not JSON", error.Message);
        Assert.Equal(file, error.EntryPath);
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Query_NotUtf8InALateWindow_FailsNamingByteOffsetAndLine(DiskFormat format)
    {
        var file = Written(format, Energies(Rows));
        var bytes = File.ReadAllBytes(file);
        var offset = LineStartAfter(bytes, 3 * TextTableCodec.WindowBytes, _ => true) + 1;
        bytes[offset] = 0xFC; // Latin-1 ü
        File.WriteAllBytes(file, bytes);

        using var store = new TableStore(_temp.Path, "r", format);
        var error = Assert.Throws<CorruptDataException>(() => store.Query("t", runId: RunId, filter: Filter));
        Assert.StartsWith(file + ": not UTF-8: ", error.Message);
        Assert.Contains($"byte offset {offset} (line {bytes.AsSpan(0, offset).Count((byte)'\n') + 1}) holds 0xFC", error.Message);
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Query_TornTailPastCommittedLength_IsNotReturned(DiskFormat format)
    {
        var table = Energies(Rows);
        var file = Written(format, table);

        // What a flush cut short leaves past the committed length: rows the filter would match, over several windows.
        var extra = Table.FromColumns(
            ("run_id", TableColumn.Of(Enumerable.Repeat<string?>(RunId, 4_000).ToList())),
            ("micro_id", TableColumn.Of<long>(Enumerable.Range(Rows, 4_000).Select(i => (long?)i).ToList())),
            ("potential", TableColumn.Of<double>(Enumerable.Repeat<double?>(0.99, 4_000).ToList())),
            ("ok", TableColumn.Of(Enumerable.Repeat(true, 4_000).ToList())),
            ("note", TableColumn.Of(Enumerable.Repeat<string?>("torn", 4_000).ToList())),
            ("at", TableColumn.Of(Enumerable.Repeat(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), 4_000).ToList())));
        using var elsewhere = new TempFolder();
        var lines = File.ReadAllBytes(Written(format, extra, elsewhere.Path));
        var skip = format == DiskFormat.Csv ? System.Array.IndexOf(lines, (byte)'\n') + 1 : 0; // no second header
        using (var stream = new FileStream(file, FileMode.Append))
        {
            stream.Write(lines, skip, lines.Length - skip - 5); // and the last line cut short
        }

        Assert.True(new FileInfo(file).Length - TextSidecar.Read(file)!.Length > 3 * TextTableCodec.WindowBytes);
        using var store = new TableStore(_temp.Path, "r", format);
        Assert.Equal(Cells(Matches(table)), Cells(store.Query("t", runId: RunId, filter: Filter)!));
        Assert.Equal(Rows, store.Read("t")!.RowCount);
    }

    private static string Extension(DiskFormat format) => format == DiskFormat.Csv ? ".csv" : ".jsonl";

    // The table written by the store (with its sidecar) as 't' under `root` (by default the temporary folder); returns the data file.
    private string Written(DiskFormat format, Table table, string? root = null)
    {
        root ??= _temp.Path;
        using (var store = new TableStore(root, "w", format))
        {
            store.Write("t", table);
        }

        return Path.Combine(root, "t" + Extension(format));
    }

    /// <summary>
    /// Rows of every column type the text formats hold, with nulls, quotes, commas, line breaks,
    /// escapes and non-ASCII text, and one value longer than three windows (a window must grow for it).
    /// </summary>
    private static Table Energies(int rows)
    {
        var random = new Random(7);
        var epoch = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        return Table.FromColumns(
            ("run_id", TableColumn.Of(Enumerable.Range(0, rows).Select(i => (string?)$"run{i % 5}").ToList())),
            ("micro_id", TableColumn.Of<long>(Enumerable.Range(0, rows).Select(i => (long?)i).ToList())),
            ("potential", TableColumn.Of<double>(Enumerable.Range(0, rows).Select(i => i % 11 == 0 ? null : (double?)random.NextDouble()).ToList())),
            ("ok", TableColumn.Of(Enumerable.Range(0, rows).Select(i => i % 3 != 0).ToList())),
            ("note", TableColumn.Of(Enumerable.Range(0, rows).Select(Note).ToList())),
            ("at", TableColumn.Of(Enumerable.Range(0, rows).Select(i => epoch.AddSeconds(i).AddTicks(i * 10)).ToList())));
    }

    private static string? Note(int i) => i switch
    {
        1_234 => new string('x', 3 * TextTableCodec.WindowBytes),
        _ when i % 13 == 0 => null,
        _ when i % 17 == 0 => "",
        _ when i % 7 == 0 => $"a, \"b\"\r\nc\\ ü {i}",
        _ => $"n{i}",
    };

    // The rows of the filter, picked by hand: run3, potential > 0.5 (a null is no match) and ok.
    private static Table Matches(Table table)
    {
        var runs = table.Strings("run_id");
        var potential = table.Values<double>("potential");
        var ok = table.Values<bool>("ok");
        return table.Where([.. Enumerable.Range(0, checked((int)table.RowCount)).Select(i => runs[i] == RunId && potential[i] > 0.5 && ok[i] == true)]);
    }

    // Every value as the text formats write it (exact: round-trip doubles, every timestamp digit), row by row.
    private static List<string> Cells(Table table)
    {
        var columns = table.ColumnNames.Select(table.Column).ToList();
        return [.. Enumerable.Range(0, checked((int)table.RowCount)).Select(row => string.Join(" | ", columns.Select(c => TextCells.Format(c, row) ?? "<null>")))];
    }

    // The start of the first line that begins at or after `offset` and whose text fits `fits`.
    private static int LineStartAfter(byte[] bytes, int offset, Func<string, bool> fits)
    {
        var start = System.Array.IndexOf(bytes, (byte)'\n', offset) + 1;
        while (true)
        {
            var end = System.Array.IndexOf(bytes, (byte)'\n', start);
            if (fits(Encoding.UTF8.GetString(bytes, start, end - start)))
            {
                return start;
            }

            start = end + 1;
        }
    }
}
