using Apache.Arrow;
using Store.Core.Formats.Ipc;
using Store.Core.Formats.Parquet;
using Store.Core.Formats.Text;
using Store.Core.Storage;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Formats;

/// <summary>
/// How one disk format stores tables: one <c>&lt;root&gt;/&lt;path&gt;&lt;extension&gt;</c> file per
/// entry. Whole-table writes are atomic replaces; formats that can grow add only new rows.
/// </summary>
internal abstract class TableCodec
{
    private EntryLayout? _layout;

    /// <summary>The file extension of entries, with the dot.</summary>
    public abstract string Extension { get; }

    /// <summary>
    /// The suffixes of files the format keeps beside an entry's file (CSV and JSON lines: its schema);
    /// they count against the name limits and are checked for links with the file.
    /// </summary>
    public IReadOnlyList<string> Sidecars { get; private init; } = [];

    /// <summary>The names an entry has on disk, and the limit and link checks on them.</summary>
    public EntryLayout Layout => _layout ??= EntryLayout.File(Extension, [.. Sidecars]);

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

    /// <summary>The entry paths stored under <paramref name="root"/> (none reached through a symbolic link).</summary>
    public virtual IReadOnlyList<string> Discover(string root) =>
        StorePaths.EnumerateFiles(root, "*" + Extension)
            .Select(file => StorePaths.EntryFor(root, file, Extension))
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The file of entry <paramref name="path"/>, checked on every use (a few <c>lstat</c> calls):
    /// neither it, its sidecars nor a folder on the way may be a symbolic link, since appends open it in place.
    /// </summary>
    /// <exception cref="InvalidPathException">A name on the way is a link.</exception>
    public string FileFor(string root, string path) => Layout.Locate(root, path);

    /// <summary>The stored schema and row count, read without loading the rows; null when there is no file.</summary>
    /// <exception cref="CorruptDataException">The file cannot be read.</exception>
    public (Schema Schema, long Rows)? Inspect(string root, string path)
    {
        var file = FileFor(root, path);
        return HasData(file) ? Guard(file, () => Checked(InspectFile(file))) : null;
    }

    /// <summary>The checks a load makes on the columns (names, types), so that a file the store cannot hold is refused when it is opened.</summary>
    private static (Schema Schema, long Rows) Checked((Schema Schema, long Rows) inspected)
    {
        _ = Table.Empty(inspected.Schema);
        return inspected;
    }

    /// <summary>
    /// Finishes what a crash interrupted, before a writable store uses <paramref name="root"/>:
    /// formats whose flushes take several steps complete or undo them here. By default there is nothing to do.
    /// </summary>
    public virtual void Recover(string root)
    {
    }

    /// <summary>Whether the entry whose file is <paramref name="file"/> has stored rows.</summary>
    protected virtual bool HasData(string file) => File.Exists(file);

    /// <summary>Every stored row of entry <paramref name="path"/>.</summary>
    /// <exception cref="CorruptDataException">The file cannot be read.</exception>
    public Table Load(string root, string path)
    {
        var file = FileFor(root, path);
        return Guard(file, () => LoadFile(file));
    }

    /// <summary>
    /// Whether <see cref="LoadRange"/> reads only the rows and columns asked for, so an entry can
    /// serve reads from the file instead of keeping its rows in memory.
    /// </summary>
    public virtual bool ReadsRanges => false;

    /// <summary>Rows <c>[start, start + count)</c> of the named columns of entry <paramref name="path"/>.</summary>
    /// <exception cref="CorruptDataException">The file cannot be read.</exception>
    public Table LoadRange(string root, string path, long start, long count, IReadOnlyList<string> columns)
    {
        var file = FileFor(root, path);
        return Guard(file, () => LoadRangeFile(file, start, count, columns));
    }

    /// <summary>Replaces the entry's file with <paramref name="table"/>, atomically.</summary>
    public virtual void Write(string root, string path, Table table) => AtomicFile.Replace(FileFor(root, path), stream => WriteFile(stream, table));

    /// <summary>
    /// Adds <paramref name="rows"/> after the file's rows; a crash leaves the old or the new file.
    /// By default the file is rewritten whole; formats that can grow override this.
    /// </summary>
    public virtual void AppendRows(string root, string path, Table rows) => Write(root, path, Load(root, path).Concat(rows));

    /// <summary>Removes every file of this format under <paramref name="root"/> (with sidecars beside them).</summary>
    public void Clear(string root)
    {
        foreach (var file in StorePaths.EnumerateFiles(root, "*" + Extension)
                     .Concat(StorePaths.EnumerateFiles(root, "*" + Extension + TextSidecar.Suffix))
                     .Concat(StorePaths.EnumerateFiles(root, "*" + AtomicFile.TempSuffix)))
        {
            File.Delete(file);
        }
    }

    /// <summary>Reads the schema and row count of <paramref name="file"/>.</summary>
    protected abstract (Schema Schema, long Rows) InspectFile(string file);

    /// <summary>Reads every row of <paramref name="file"/>.</summary>
    protected abstract Table LoadFile(string file);

    /// <summary>Reads rows <c>[start, start + count)</c> of the named columns; by default the whole file is read first.</summary>
    protected virtual Table LoadRangeFile(string file, long start, long count, IReadOnlyList<string> columns) =>
        LoadFile(file).Slice(start, count).Select(columns);

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
