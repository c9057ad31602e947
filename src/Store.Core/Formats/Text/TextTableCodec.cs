using Apache.Arrow;
using Apache.Arrow.Types;
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
/// one, and the record is durable before (or with) the data it describes. Reads stream the
/// committed bytes a window at a time (<see cref="TextSource"/>), parsing each window's records
/// into cells (<see cref="TextParser"/>) that are typed into Arrow columns only when asked for.
/// </summary>
internal abstract class TextTableCodec : TableCodec
{
    /// <summary>
    /// The bytes a read takes from the file at a time: a scan holds one window and its cells. Small
    /// enough that a window, its cells and its columns stay below .NET's large-object threshold
    /// (short-lived, cache-warm memory): the CSV benchmark ran a quarter faster than with 1 MiB windows.
    /// </summary>
    internal const int WindowBytes = 1 << 16;

    private InferredColumns? _inferred;

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
            _ => TextSource.CompleteLinesLength(stream.SafeFileHandle, stream.Length),
        };
        if (stream.Length < committed)
        {
            throw TextSource.Shorter(file, stream.Length, committed);
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

    /// <summary>Reads the columns and the first window (CSV: the header must name the declared columns); without a sidecar, types are inferred in a streaming pass.</summary>
    protected override Schema ReadSchema(string file)
    {
        var (schema, blocks) = Open(file);
        _ = blocks.FirstOrDefault();
        return schema;
    }

    /// <inheritdoc />
    protected override (Schema Schema, long Rows) InspectFile(string file)
    {
        var (schema, blocks) = Open(file);
        var names = Names(schema);
        long rows = 0;
        foreach (var block in blocks)
        {
            Read(file, block, schema, names); // every value is checked, as a load would
            rows += block.Rows;
        }

        return (schema, rows);
    }

    /// <summary>Every committed row: the scan's blocks, concatenated.</summary>
    protected override Table LoadFile(string file)
    {
        var (schema, blocks) = Open(file);
        var names = Names(schema);
        return Table.FromBatches(schema, blocks.SelectMany(block => Read(file, block, schema, names).Batches).ToList());
    }

    /// <summary>The committed rows a window at a time: memory holds one window and its cells, whatever the file's size.</summary>
    protected override IEnumerable<TableChunk> ScanFile(string file, Schema columns)
    {
        var (schema, blocks) = Guard(file, () => Open(file));
        CheckColumns(columns, schema, file);
        using var each = blocks.GetEnumerator();
        while (Guard(file, each.MoveNext))
        {
            yield return new BlockChunk(file, schema, each.Current);
        }
    }

    /// <summary>Makes the parser of this format for one pass over <paramref name="file"/>.</summary>
    /// <param name="file">The entry's file, which errors name.</param>
    /// <param name="declared">The column names, or null to find them in the file.</param>
    /// <param name="record">The sidecar that declares them, or null.</param>
    protected abstract TextParser CreateParser(string file, IReadOnlyList<string>? declared, TextSidecar? record);

    // The file's columns (the sidecar's, or inferred) and its committed rows as blocks, read lazily.
    private (Schema Schema, IEnumerable<TextBlock> Blocks) Open(string file)
    {
        var record = TextSidecar.Read(file);
        var schema = Checked(file, record?.Schema ?? Infer(file));
        return (schema, Blocks(file, record, CreateParser(file, Names(schema), record)));
    }

    private IEnumerable<TextBlock> Blocks(string file, TextSidecar? record, TextParser parser)
    {
        using var source = TextSource.Open(file, PendingOf(file, record) ?? file, record, WindowBytes);
        var consumed = 0;
        while (source.Next(consumed))
        {
            var block = parser.Parse(source.Bytes, source.Length, source.Final, out consumed);
            if (block.Rows > 0)
            {
                yield return block;
            }
        }

        parser.End();
    }

    // Types for a file another tool wrote, in one streaming pass; kept while the file keeps its length and time.
    private Schema Infer(string file)
    {
        var info = new FileInfo(file);
        if (_inferred is { } known && known.File == file && known.Length == info.Length && known.Written == info.LastWriteTimeUtc)
        {
            return known.Schema;
        }

        var parser = CreateParser(file, null, null);
        var guesses = new List<TextTypeGuess>();
        foreach (var block in Blocks(file, null, parser))
        {
            guesses.AddRange(Enumerable.Range(0, block.Columns - guesses.Count).Select(_ => new TextTypeGuess()));
            for (var c = 0; c < block.Columns; c++)
            {
                for (var row = 0; row < block.Rows; row++)
                {
                    if (!block.IsNull(row, c))
                    {
                        guesses[c].Add(block.Text(row, c));
                    }
                }
            }
        }

        var schema = new Schema.Builder();
        for (var c = 0; c < parser.Names.Count; c++)
        {
            schema.Field(f => f.Name(parser.Names[c]).DataType(c < guesses.Count ? guesses[c].Type : StringType.Default).Nullable(true));
        }

        var inferred = schema.Build();
        _inferred = new InferredColumns(file, info.Length, info.LastWriteTimeUtc, inferred);
        return inferred;
    }

    // The schema a table of these columns has; refuses no columns, and (through the table) empty or duplicate names.
    private static Schema Checked(string file, Schema schema) => schema.FieldsList.Count == 0
        ? throw new CorruptDataException($"{file}: no columns found.", file)
        : Table.FromColumns([.. schema.FieldsList.Select(f => (f.Name, ArrowColumns.EmptyOf(f.DataType)))]).Schema;

    private static List<string> Names(Schema schema) => [.. schema.FieldsList.Select(f => f.Name)];

    // The named columns of a block, typed.
    private static Table Read(string file, TextBlock block, Schema schema, IReadOnlyList<string> names)
    {
        var columns = new (string, IArrowArray)[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var index = schema.IndexOfColumn(names[i]);
            var type = schema.GetFieldByIndex(index).DataType;
            try
            {
                columns[i] = (names[i], TextCells.Parse(type, block, index, names[i]));
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

    private static bool EndsWithNewline(FileStream stream)
    {
        var one = new byte[1];
        stream.Position = stream.Length - 1;
        stream.ReadExactly(one);
        return one[0] == (byte)'\n';
    }

    private sealed record InferredColumns(string File, long Length, DateTime Written, Schema Schema);

    /// <summary>One block of a scan; it types only the columns asked for.</summary>
    private sealed class BlockChunk(string file, Schema schema, TextBlock block) : TableChunk
    {
        /// <inheritdoc />
        public override Table Read(IReadOnlyList<string> columns, RentedBuffers? borrowed = null) => Guard(file, () => TextTableCodec.Read(file, block, schema, columns));
    }
}
