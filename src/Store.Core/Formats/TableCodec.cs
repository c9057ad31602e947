using Apache.Arrow;
using Store.Core.Formats.Ipc;
using Store.Core.Formats.Parquet;
using Store.Core.Formats.Text;
using Store.Core.Storage;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Formats;

/// <summary>
/// How one disk format stores tables: <c>&lt;root&gt;/&lt;path&gt;&lt;extension&gt;</c> per entry, a
/// single file, or (formats that write parts: Parquet, Arrow IPC) a folder of part files, one per
/// flush (<see cref="PartFolder"/>). Whole-table writes are atomic replaces; appends add only the
/// new rows (a part, or bytes at the end of a text file), except to a single Parquet or IPC file
/// another tool or an older store wrote, which is rewritten until <see cref="Compact"/> turns it
/// into a folder.
/// </summary>
internal abstract class TableCodec
{
    private EntryLayout? _layout;

    // Per part folder: the next part number, and the folder's modification time when it was known.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime Stamp, long Next)> _nextParts = new(StringComparer.Ordinal);

    /// <summary>The file extension of entries, with the dot.</summary>
    public abstract string Extension { get; }

    /// <summary>
    /// The suffixes of files the format keeps beside an entry's file (CSV and JSON lines: its schema);
    /// they count against the name limits and are checked for links with the file.
    /// </summary>
    public IReadOnlyList<string> Sidecars { get; private init; } = [];

    /// <summary>The names an entry has on disk, and the limit and link checks on them.</summary>
    public EntryLayout Layout => _layout ??= WritesParts ? EntryLayout.Parts(Extension) : EntryLayout.File(Extension, [.. Sidecars]);

    /// <summary>The codec for <paramref name="format"/>, or null for memory-only stores.</summary>
    /// <exception cref="StoreException">A format that does not hold tables (yet).</exception>
    public static TableCodec? Create(DiskFormat format) => format switch
    {
        DiskFormat.None => null,
        DiskFormat.Parquet => new ParquetTableCodec(),
        DiskFormat.Ipc => new IpcTableCodec(),
        DiskFormat.Csv => new CsvTableCodec { Sidecars = [TextSidecar.Suffix] },
        DiskFormat.Json => new JsonLinesTableCodec { Sidecars = [TextSidecar.Suffix] },
        _ => throw new StoreException($"Disk format {format} does not hold tables; expected None, Parquet, Csv, Ipc or Json."),
    };

    /// <summary>Checks, before a store touches its root, that <paramref name="format"/> (null: to be settled from the root) holds tables.</summary>
    /// <exception cref="StoreException">An array format.</exception>
    public static DiskFormat? Check(DiskFormat? format) =>
        format is { } f && f is not (DiskFormat.None or DiskFormat.Parquet or DiskFormat.Ipc or DiskFormat.Csv or DiskFormat.Json)
            ? throw new StoreException($"Disk format {f} does not hold tables; expected None, Parquet, Csv, Ipc or Json (or none, for what the root holds).")
            : format;

    /// <summary>
    /// Whether files of this format hold date and time-of-day columns. Only Arrow IPC does: the
    /// store's Parquet, CSV and JSON lines files have no exact form for them yet, so a table with
    /// such columns is refused when it is written or first appended, before the store accepts it.
    /// </summary>
    protected virtual bool CarriesDatesAndTimes => false;

    /// <summary>Refuses, before an entry accepts <paramref name="schema"/>, columns this format cannot store.</summary>
    /// <exception cref="SchemaException">A date or time-of-day column in a format that does not carry them; names the table and each column.</exception>
    public void CheckColumns(Schema schema, string path)
    {
        if (CarriesDatesAndTimes)
        {
            return;
        }

        var unfit = schema.FieldsList.Where(f => ArrowColumns.IsDateOrTime(f.DataType)).Select(f => $"'{f.Name}' ({ArrowColumns.Describe(f.DataType)})").ToList();
        if (unfit.Count > 0)
        {
            throw new SchemaException(
                $"Table '{path}' has date or time-of-day columns {string.Join(", ", unfit)}, which {Extension} files of this store do not hold; " +
                "they are kept only in Arrow IPC files (DiskFormat.Ipc) and memory-only stores: store them as timestamps here, or use DiskFormat.Ipc.",
                path);
        }
    }

    /// <summary>Whether tables are folders of part files, one per flush, rather than one file.</summary>
    protected virtual bool WritesParts => false;

    /// <summary>
    /// The entry paths stored under <paramref name="root"/> (none reached through a symbolic link):
    /// files with the extension and, for formats that write parts, folders with it (whose parts are
    /// not entries themselves). Hidden names (temporary files and folders) are not entries.
    /// </summary>
    public virtual IReadOnlyList<string> Discover(string root)
    {
        var found = WritesParts
            ? EntriesBelow(root, root)
            : StorePaths.EnumerateFiles(root, "*" + Extension).Select(file => StorePaths.EntryFor(root, file, Extension));
        return found.OfType<string>().Order(StringComparer.Ordinal).ToList();
    }

    private bool LinksFree(string folder)
    {
        try
        {
            _ = PartFolder.Parts(folder, Extension);
            return true;
        }
        catch (InvalidPathException)
        {
            return false;
        }
    }

    private IEnumerable<string?> EntriesBelow(string root, string folder)
    {
        var here = new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(folder, "*" + Extension, here).Where(f => !Path.GetFileName(f).StartsWith('.')))
        {
            yield return StorePaths.EntryFor(root, file, Extension);
        }

        foreach (var sub in Directory.EnumerateDirectories(folder, "*", here).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            if (sub.EndsWith(Extension, StringComparison.Ordinal))
            {
                yield return LinksFree(sub) ? StorePaths.EntryFor(root, sub, Extension) : null; // a table with a linked part is not the store's
                continue;
            }

            foreach (var entry in EntriesBelow(root, sub))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// The file of entry <paramref name="path"/>, checked on every use (a few <c>lstat</c> calls):
    /// neither it, its sidecars nor a folder on the way may be a symbolic link, since appends open it in place.
    /// </summary>
    /// <exception cref="InvalidPathException">A name on the way is a link.</exception>
    public string FileFor(string root, string path) => Layout.Locate(root, path);

    /// <summary>
    /// The files holding entry <paramref name="path"/>'s rows, in row order: the parts of its folder,
    /// or its one file; none when it has no stored rows.
    /// </summary>
    public IReadOnlyList<string> StoredFiles(string root, string path)
    {
        var file = FileFor(root, path);
        if (WritesParts && Directory.Exists(file))
        {
            return PartFolder.Parts(file, Extension);
        }

        return HasData(file) ? [file] : [];
    }

    /// <summary>
    /// The stored columns, read from one file only (a footer or a header): the first part the store
    /// numbered, so a file another tool dropped into a table folder cannot decide them (it is refused
    /// by name when read); null when nothing is stored.
    /// </summary>
    /// <exception cref="CorruptDataException">The file cannot be read.</exception>
    public Schema? InspectSchema(string root, string path) =>
        Reference(StoredFiles(root, path)) is { } file ? Guard(file, () => Table.Empty(ReadSchema(file)).Schema) : null;

    // The file whose columns are the table's: the first store-numbered part, else the first file.
    private string? Reference(IReadOnlyList<string> files) =>
        files.FirstOrDefault(f => PartFolder.IsStorePart(f, Extension)) ?? files.FirstOrDefault();

    /// <summary>The stored row count: the sum over the files, each read as little as the format allows.</summary>
    /// <exception cref="CorruptDataException">A file cannot be read, or holds other columns than the first; the message names it.</exception>
    public long CountRows(string root, string path)
    {
        var files = StoredFiles(root, path);
        if (Reference(files) is not { } reference)
        {
            return 0;
        }

        var columns = Guard(reference, () => ReadSchema(reference));
        long rows = 0;
        foreach (var file in files)
        {
            var (schema, count) = Guard(file, () => InspectFile(file));
            CheckSameColumns(columns, schema, reference, file);
            rows += count;
        }

        return rows;
    }

    /// <summary>
    /// Finishes what a crash interrupted, before a writable store uses <paramref name="root"/>:
    /// formats whose flushes take several steps complete or undo them here (part folders: a swap
    /// half done, staging folders and temporary parts left behind).
    /// </summary>
    public virtual void Recover(string root)
    {
        if (WritesParts)
        {
            PartFolder.Recover(root, Extension);
        }
    }

    /// <summary>Whether the entry whose file is <paramref name="file"/> has stored rows.</summary>
    protected virtual bool HasData(string file) => File.Exists(file);

    /// <summary>Every stored row of entry <paramref name="path"/>.</summary>
    /// <exception cref="CorruptDataException">A file cannot be read, or holds other columns than the first.</exception>
    public Table Load(string root, string path)
    {
        var files = StoredFiles(root, path);
        if (Reference(files) is not { } referenceFile)
        {
            throw new EntryNotFoundException($"'{path}' has no stored rows in {root}.", path);
        }

        var tables = files.Select(file => Guard(file, () => LoadFile(file))).ToList();
        var reference = files.ToList().IndexOf(referenceFile);
        for (var i = 0; i < tables.Count; i++)
        {
            CheckSameColumns(tables[reference].Schema, tables[i].Schema, files[reference], files[i]);
        }

        return tables.Count == 1 ? tables[0] : Table.FromBatches(tables[reference].Schema, tables.SelectMany(t => t.Batches));
    }

    /// <summary>
    /// Whether <see cref="LoadRange"/> reads only the rows and columns asked for, so an entry can
    /// serve reads from the file instead of keeping its rows in memory.
    /// </summary>
    public virtual bool ReadsRanges => false;

    /// <summary>
    /// Rows <c>[start, start + count)</c> of the named columns of entry <paramref name="path"/>; only
    /// the files holding them are read, each counted against <paramref name="budget"/> as it is.
    /// </summary>
    /// <exception cref="CorruptDataException">A file cannot be read.</exception>
    /// <exception cref="ResultTooLargeException">The rows read so far pass the budget.</exception>
    public Table LoadRange(string root, string path, long start, long count, IReadOnlyList<string> columns, ResultBudget budget)
    {
        var files = StoredFiles(root, path);
        if (files.Count == 1)
        {
            return Guard(files[0], () => LoadRangeFile(files[0], start, count, columns, budget));
        }

        var pieces = new List<Table>();
        long fileStart = 0;
        foreach (var file in files)
        {
            if (fileStart >= start + count)
            {
                break;
            }

            var rows = Guard(file, () => InspectFile(file)).Rows;
            var (from, to) = (Math.Max(start, fileStart), Math.Min(start + count, fileStart + rows));
            if (to > from)
            {
                pieces.Add(Guard(file, () => LoadRangeFile(file, from - fileStart, to - from, columns, budget)));
            }

            fileStart += rows;
        }

        return pieces.Count == 0
            ? Table.Empty(Guard(files[0], () => ReadSchema(files[0]))).Select(columns)
            : Table.FromBatches(pieces[0].Schema, pieces.SelectMany(p => p.Batches));
    }

    /// <summary>
    /// The stored rows of entry <paramref name="path"/> piece by piece (<see cref="TableChunk"/>), read
    /// lazily: a query skips pieces by their statistics and keeps only its matches, so its memory
    /// grows with the result and one piece, not with the table.
    /// </summary>
    /// <param name="root">The store root.</param>
    /// <param name="path">The entry path.</param>
    /// <param name="columns">The entry's columns: a file with others is refused, naming it.</param>
    /// <exception cref="CorruptDataException">A file cannot be read, or holds other columns; the message names it.</exception>
    public IEnumerable<TableChunk> Scan(string root, string path, Schema columns)
    {
        foreach (var file in StoredFiles(root, path))
        {
            foreach (var chunk in ScanFile(file, columns))
            {
                yield return chunk;
            }
        }
    }

    /// <summary>A file's pieces; by default the whole file, loaded (formats that can read less override this).</summary>
    protected virtual IEnumerable<TableChunk> ScanFile(string file, Schema columns)
    {
        var table = Guard(file, () => LoadFile(file));
        CheckColumns(columns, table.Schema, file);
        yield return new LoadedChunk(table);
    }

    /// <summary>Refuses a file whose columns (names and types, in order) are not the table's, naming it.</summary>
    /// <exception cref="CorruptDataException">The columns differ.</exception>
    protected static void CheckColumns(Schema expected, Schema found, string file)
    {
        if (found.FieldsList.Count != expected.FieldsList.Count
            || !found.FieldsList.Zip(expected.FieldsList).All(p => p.First.Name == p.Second.Name && ArrowColumns.SameType(p.First.DataType, p.Second.DataType)))
        {
            throw new CorruptDataException(
                $"{file}: holds columns ({Table.Describe(found)}), but the table it is stored in has ({Table.Describe(expected)}); remove the file, or move it to a table of its own.", file);
        }
    }

    private static void CheckSameColumns(Schema first, Schema other, string firstFile, string otherFile)
    {
        try
        {
            CheckColumns(first, other, otherFile);
        }
        catch (CorruptDataException e)
        {
            throw new CorruptDataException($"{e.Message} (the columns are those of {firstFile})", otherFile, e);
        }
    }

    /// <summary>
    /// Turns the entry's stored rows into one part, in a folder: a folder of many small parts (one
    /// per flush) is rewritten as one, and a single file becomes a folder, so later flushes add parts
    /// instead of rewriting it. Readers see the old table or the new one: the folder is swapped whole,
    /// so a reader that listed the old parts and opens one only after the swap finds it gone and must
    /// list again. A no-op for formats that do not write parts, and for a folder of one part.
    /// </summary>
    /// <returns>Whether anything was rewritten.</returns>
    public bool Compact(string root, string path)
    {
        var file = FileFor(root, path);
        if (!WritesParts || StoredFiles(root, path) is not { Count: > 0 } files || (files.Count == 1 && Directory.Exists(file)))
        {
            return false;
        }

        var table = Load(root, path);
        _nextParts.TryRemove(file, out _);
        PartFolder.Replace(file, folder => WritePart(Path.Combine(folder, PartFolder.PartName(0, Extension)), table));
        return true;
    }

    /// <summary>
    /// Replaces the entry's table with <paramref name="table"/>, atomically: a folder of one part, or
    /// the file for formats without parts and for a table stored as one file (it stays one until compacted).
    /// </summary>
    public virtual void Write(string root, string path, Table table)
    {
        var file = FileFor(root, path);
        _nextParts.TryRemove(file, out _);
        if (WritesParts && !File.Exists(file))
        {
            PartFolder.Replace(file, folder => WritePart(Path.Combine(folder, PartFolder.PartName(0, Extension)), table));
        }
        else
        {
            AtomicFile.Replace(file, stream => WriteFile(stream, table));
        }
    }

    /// <summary>
    /// Adds <paramref name="rows"/> after the stored rows; a crash leaves the old or the new table.
    /// A part folder gets one more part; a single file is handed to <see cref="AppendToFile"/>.
    /// </summary>
    public void AppendRows(string root, string path, Table rows)
    {
        var file = FileFor(root, path);
        if (WritesParts && Directory.Exists(file))
        {
            // The next number is remembered while the folder is as this codec left it (its modification
            // time unchanged), so a flush costs no listing of the parts before it.
            var stamp = Directory.GetLastWriteTimeUtc(file);
            var next = _nextParts.TryGetValue(file, out var known) && known.Stamp == stamp
                ? known.Next
                : PartFolder.NextNumber(PartFolder.Parts(file, Extension), Extension);
            AtomicFile.Replace(Path.Combine(file, PartFolder.PartName(next, Extension)), stream => WriteFile(stream, rows));
            _nextParts[file] = (Directory.GetLastWriteTimeUtc(file), next + 1);
            return;
        }

        AppendToFile(root, path, file, rows);
    }

    /// <summary>Adds rows to an entry stored as one file. By default the file is rewritten whole; formats that can grow a file override this.</summary>
    protected virtual void AppendToFile(string root, string path, string file, Table rows)
    {
        var table = Load(root, path).Concat(rows);
        AtomicFile.Replace(file, stream => WriteFile(stream, table));
    }

    // One part file, synced, in a folder that is not visible yet.
    private void WritePart(string file, Table table)
    {
        using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        WriteFile(stream, table);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Removes every table of this format under <paramref name="root"/>: files with sidecars beside them, part folders, temporary files.</summary>
    public void Clear(string root)
    {
        if (WritesParts)
        {
            foreach (var folder in StorePaths.EnumerateDirectories(root).Where(d => d.EndsWith(Extension, StringComparison.Ordinal) || d.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal)).ToList())
            {
                PartFolder.Delete(folder);
            }
        }

        foreach (var file in StorePaths.EnumerateFiles(root, "*" + Extension)
                     .Concat(StorePaths.EnumerateFiles(root, "*" + Extension + TextSidecar.Suffix))
                     .Concat(StorePaths.EnumerateFiles(root, "*" + AtomicFile.TempSuffix)).ToList())
        {
            File.Delete(file);
        }
    }

    /// <summary>Reads the schema and row count of <paramref name="file"/>.</summary>
    protected abstract (Schema Schema, long Rows) InspectFile(string file);

    /// <summary>Reads the schema of <paramref name="file"/>; by default through <see cref="InspectFile"/>.</summary>
    protected virtual Schema ReadSchema(string file) => InspectFile(file).Schema;

    /// <summary>Reads every row of <paramref name="file"/>.</summary>
    protected abstract Table LoadFile(string file);

    /// <summary>
    /// Reads rows <c>[start, start + count)</c> of the named columns, counting them against
    /// <paramref name="budget"/>; by default the whole file is read first.
    /// </summary>
    protected virtual Table LoadRangeFile(string file, long start, long count, IReadOnlyList<string> columns, ResultBudget budget)
    {
        var rows = LoadFile(file).Slice(start, count).Select(columns);
        budget.Add(rows);
        return rows;
    }

    /// <summary>Writes <paramref name="table"/> as a complete file into <paramref name="stream"/>.</summary>
    protected abstract void WriteFile(Stream stream, Table table);

    /// <summary>
    /// Turns a reader's failure on <paramref name="file"/> into a <see cref="CorruptDataException"/> naming it:
    /// the reader's own exceptions, and the <see cref="SchemaException"/>s that building the table raises
    /// without knowing the file (duplicate or empty column names, column types the store does not hold).
    /// </summary>
    protected static T Guard<T>(string file, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SchemaException e) when (e.EntryPath is null)
        {
            throw new CorruptDataException($"{file}: {e.Message}", file, e);
        }
        catch (Exception e) when (e is not StoreException and not OutOfMemoryException)
        {
            throw new CorruptDataException($"{file}: cannot be read: {e.Message}", file, e);
        }
    }
}
