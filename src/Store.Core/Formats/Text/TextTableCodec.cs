using System.Buffers;
using System.Text.Unicode;
using Apache.Arrow;
using Store.Core.Storage;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Formats.Text;

/// <summary>
/// Line-oriented table files (CSV, JSON lines). Text carries no exact types, so the store keeps a
/// commit record beside each file (<see cref="TextSidecar"/>: the column types and the committed
/// length); files from other tools have none and get their types inferred. A flush after appends
/// cuts whatever an interrupted flush left past the committed length, adds lines at the end, syncs,
/// then commits the new length; a whole-table write goes to a synced temporary file that the record
/// commits before it is renamed into place. So a crash at any step leaves the old table or the new
/// one, and the record is durable before (or with) the data it describes.
/// </summary>
internal abstract class TextTableCodec : TableCodec
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Discover(string root) =>
        base.Discover(root)
            .Concat(SidecarFiles(root)
                .Select(sidecar => sidecar[..^TextSidecar.Suffix.Length])
                .Where(file => !File.Exists(file) && PendingOf(file) is not null)
                .Select(file => StorePaths.EntryFor(root, file, Extension))
                .OfType<string>())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Completes committed renames, cuts torn tails back to the committed length and removes temporary files a crash left.</summary>
    public override void Recover(string root)
    {
        var untrusted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sidecar in SidecarFiles(root).ToList())
        {
            var file = sidecar[..^TextSidecar.Suffix.Length];
            TextSidecar? record;
            try
            {
                record = TextSidecar.Read(file);
            }
            catch (CorruptDataException)
            {
                untrusted.Add(file); // reported, naming the record, when the table is used; its files are left as they are
                continue;
            }

            if (PendingOf(file, record) is { } pending)
            {
                AtomicFile.Commit(pending, file);
            }

            if (record?.Length is { } committed && File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
                if (stream.Length > committed)
                {
                    stream.SetLength(committed);
                    stream.Flush(flushToDisk: true);
                }
            }
        }

        // Every committed write is renamed now, so the temporary files left are flushes a crash cut short.
        foreach (var temp in StorePaths.EnumerateFiles(root, $".*{Extension}.*{AtomicFile.TempSuffix}").ToList())
        {
            var name = Path.GetFileName(temp);
            var dataName = name[1..(name.LastIndexOf(Extension + ".", StringComparison.Ordinal) + Extension.Length)];
            if (!untrusted.Contains(Path.Combine(Path.GetDirectoryName(temp)!, dataName)))
            {
                File.Delete(temp);
            }
        }
    }

    /// <inheritdoc />
    protected override void AppendToFile(string root, string path, string file, Table rows)
    {
        var record = TextSidecar.Read(file);
        if (PendingOf(file, record) is { } pending)
        {
            AtomicFile.Commit(pending, file);
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var committed = record switch
        {
            { Length: { } length } => length,
            null => stream.Length,
            _ => CompleteLinesLength(stream),
        };
        if (stream.Length < committed)
        {
            throw Shorter(file, stream.Length, committed);
        }

        stream.SetLength(committed);
        stream.Position = committed;
        if (committed > 0 && !EndsWithNewline(stream))
        {
            stream.WriteByte((byte)'\n'); // a file another tool ended without a newline
        }

        var half = rows.RowCount / 2;
        WriteRows(stream, rows.Slice(0, half));
        CrashPoint.Hit(CrashPoint.TextRowsHalfWritten);
        WriteRows(stream, rows.Slice(half, rows.RowCount - half));
        stream.Flush(flushToDisk: true);
        CrashPoint.Hit(CrashPoint.TextRowsWritten);
        new TextSidecar(rows.Schema, stream.Length, null).Write(file);
    }

    /// <summary>Writes the whole table to a synced temporary file, commits it in the sidecar, then renames it into place.</summary>
    public override void Write(string root, string path, Table table)
    {
        var file = FileFor(root, path);
        var temp = AtomicFile.WriteTemp(file, stream => WriteFile(stream, table));
        try
        {
            new TextSidecar(table.Schema, new FileInfo(temp).Length, Path.GetFileName(temp)).Write(file);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        CrashPoint.Hit(CrashPoint.TextSidecarCommitted);
        AtomicFile.Commit(temp, file);
    }

    /// <inheritdoc />
    protected override bool HasData(string file) => File.Exists(file) || PendingOf(file) is not null;

    /// <inheritdoc />
    protected override (Schema Schema, long Rows) InspectFile(string file)
    {
        var table = LoadFile(file);
        return (table.Schema, table.RowCount);
    }

    /// <inheritdoc />
    protected override Table LoadFile(string file)
    {
        var record = TextSidecar.Read(file);
        var data = PendingOf(file, record) ?? file;
        var bytes = File.ReadAllBytes(data);
        var end = bytes.Length;
        if (record?.Length is { } committed)
        {
            if (bytes.Length < committed)
            {
                throw Shorter(data, bytes.Length, committed);
            }

            end = (int)committed;
        }
        else if (record is not null && end > 0)
        {
            end = System.Array.LastIndexOf(bytes, (byte)'\n', end - 1) + 1; // an older record: a last line without its newline is not committed
        }

        var (names, rows) = ParseRows(DecodeUtf8(bytes.AsSpan(0, end), file), file);
        var columns = new (string, IArrowArray)[record?.Schema.FieldsList.Count ?? names.Count];
        if (columns.Length == 0)
        {
            throw new CorruptDataException($"{file}: no columns found.", file);
        }

        var index = Declared(record?.Schema, names, file);
        for (var c = 0; c < columns.Length; c++)
        {
            var name = record?.Schema.GetFieldByIndex(c).Name ?? names[c];
            var source = index[c];
            var cells = rows.Select(r => source >= 0 && source < r.Length ? r[source] : null).ToList();
            var type = record?.Schema.GetFieldByIndex(c).DataType ?? TextCells.Infer(cells);
            try
            {
                columns[c] = (name, TextCells.Parse(type, cells, name));
            }
            catch (FormatException e)
            {
                throw new CorruptDataException($"{file}: {e.Message}; expected {ArrowColumns.Describe(type)}.", file, e);
            }
        }

        return Table.FromColumns(columns);
    }

    /// <inheritdoc />
    protected override void WriteFile(Stream stream, Table table)
    {
        WriteHeader(stream, table.Schema);
        WriteRows(stream, table);
    }

    /// <summary>Writes what comes before the rows (CSV: the header line).</summary>
    protected abstract void WriteHeader(Stream stream, Schema schema);

    /// <summary>Writes one line per row.</summary>
    protected abstract void WriteRows(Stream stream, Table rows);

    /// <summary>Column names and each row's cells (null for null) from the committed text (its last line may lack a newline).</summary>
    protected abstract (IReadOnlyList<string> Names, List<string?[]> Rows) ParseRows(string text, string file);

    /// <summary>
    /// For each declared column, where the file's cells for it are: CSV must name the declared columns
    /// in order; JSON lines may leave a column out of every row (all null) but never add one.
    /// </summary>
    protected virtual int[] Declared(Schema? declared, IReadOnlyList<string> names, string file)
    {
        if (declared is null)
        {
            return [.. Enumerable.Range(0, names.Count)];
        }

        var declaredNames = declared.FieldsList.Select(f => f.Name).ToList();
        if (!declaredNames.SequenceEqual(names))
        {
            throw new CorruptDataException(
                $"{file}: has columns ({string.Join(", ", names)}) but {TextSidecar.FileOf(file)} declares ({string.Join(", ", declaredNames)}).", file);
        }

        return [.. Enumerable.Range(0, names.Count)];
    }

    /// <summary>
    /// The text of a CSV or JSON lines file, which must be UTF-8 (a leading byte order mark is
    /// skipped). Text in another encoding (Latin-1, Windows-1252, UTF-16) is refused rather than
    /// read with U+FFFD in place of its characters, which a rewrite would then make permanent.
    /// </summary>
    /// <exception cref="CorruptDataException">Bytes that are no UTF-8 sequence; names the file, the byte offset, the line and the bytes.</exception>
    internal static string DecodeUtf8(ReadOnlySpan<byte> bytes, string file)
    {
        var start = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        var chars = new char[bytes.Length - start];
        var status = Utf8.ToUtf16(bytes[start..], chars, out var read, out var written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
        {
            return new string(chars, 0, written);
        }

        var offset = start + read;
        var line = bytes[..offset].Count((byte)'\n') + 1;
        var found = Convert.ToHexString(bytes.Slice(offset, Math.Min(4, bytes.Length - offset)));
        var hint = bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            ? "it starts with a UTF-16 byte order mark"
            : "it may be Latin-1 or Windows-1252";
        throw new CorruptDataException(
            $"{file}: not UTF-8: byte offset {offset} (line {line}) holds 0x{found}, which is no UTF-8 sequence ({hint}); " +
            "CSV and JSON lines files are read as UTF-8, so convert it first (for example: iconv -f latin1 -t utf-8).",
            file);
    }

    private IEnumerable<string> SidecarFiles(string root) => StorePaths.EnumerateFiles(root, "*" + Extension + TextSidecar.Suffix);

    private static string? PendingOf(string file) => PendingOf(file, TryRead(file));

    private static string? PendingOf(string file, TextSidecar? record) =>
        record?.PendingFile(file) is { } pending && File.Exists(pending) && new FileInfo(pending).LinkTarget is null ? pending : null;

    private static TextSidecar? TryRead(string file)
    {
        try
        {
            return TextSidecar.Read(file);
        }
        catch (CorruptDataException)
        {
            return null;
        }
    }

    private static CorruptDataException Shorter(string file, long length, long committed) => new(
        $"{file}: holds {length} bytes but {TextSidecar.FileOf(file)} records {committed} committed bytes; the file was cut short by something other than the store.",
        file);

    private static bool EndsWithNewline(FileStream stream)
    {
        var one = new byte[1];
        stream.Position = stream.Length - 1;
        stream.ReadExactly(one);
        return one[0] == (byte)'\n';
    }

    private static long CompleteLinesLength(FileStream stream)
    {
        var length = stream.Length;
        var one = new byte[1];
        while (length > 0)
        {
            stream.Position = length - 1;
            stream.ReadExactly(one);
            if (one[0] == (byte)'\n')
            {
                break;
            }

            length--;
        }

        return length;
    }
}
