using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Store.Core.Storage;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Formats.Text;

/// <summary>
/// Line-oriented table files (CSV, JSON lines). Text carries no exact types, so the store writes
/// the schema beside the file (<c>&lt;file&gt;.schema</c>, JSON) and reads it back; files from
/// other tools get their types inferred. A flush after appends adds lines at the end of the file
/// (after cutting any partial line an interrupted flush left), then syncs; the reader ignores a
/// last line without its newline, so a crash leaves the old table or the new one.
/// </summary>
internal abstract class TextTableCodec : TableCodec
{
    private const string SchemaSuffix = ".schema";

    /// <inheritdoc />
    public override void AppendRows(string root, string path, Table rows)
    {
        var file = FileFor(root, path);
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        stream.SetLength(CompleteLinesLength(stream));
        stream.Position = stream.Length;
        WriteRows(stream, rows);
        stream.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    protected override (Schema Schema, long Rows) InspectFile(string file)
    {
        var table = LoadFile(file);
        return (table.Schema, table.RowCount);
    }

    /// <inheritdoc />
    protected override Table LoadFile(string file)
    {
        var text = File.ReadAllText(file, Encoding.UTF8);
        var complete = text.LastIndexOf('\n') + 1;
        var (names, rows) = ParseRows(text[..complete], file);
        var declared = ReadSchema(file);
        var useDeclared = declared is not null && declared.FieldsList.Select(f => f.Name).SequenceEqual(names);
        var columns = new (string, IArrowArray)[names.Count];
        for (var c = 0; c < names.Count; c++)
        {
            var cells = rows.Select(r => c < r.Length ? r[c] : null).ToList();
            var type = useDeclared ? declared!.GetFieldByIndex(c).DataType : TextCells.Infer(cells);
            try
            {
                columns[c] = (names[c], TextCells.Parse(type, cells, names[c]));
            }
            catch (FormatException e)
            {
                throw new CorruptDataException($"{file}: {e.Message}; expected {ArrowColumns.Describe(type)}.", file, e);
            }
        }

        return columns.Length == 0 ? throw new CorruptDataException($"{file}: no columns found.", file) : Table.FromColumns(columns);
    }

    /// <inheritdoc />
    protected override void WriteFile(Stream stream, Table table)
    {
        WriteHeader(stream, table.Schema);
        WriteRows(stream, table);
    }

    /// <summary>Writes the file, then its schema beside it (both atomic).</summary>
    public override void Write(string root, string path, Table table)
    {
        base.Write(root, path, table);
        var file = FileFor(root, path);
        AtomicFile.Replace(file + SchemaSuffix, stream => JsonSerializer.Serialize(stream,
            table.Schema.FieldsList.Select(f => new[] { f.Name, TypeName(f.DataType) }).ToArray()));
    }

    /// <summary>Writes what comes before the rows (CSV: the header line).</summary>
    protected abstract void WriteHeader(Stream stream, Schema schema);

    /// <summary>Writes one line per row.</summary>
    protected abstract void WriteRows(Stream stream, Table rows);

    /// <summary>Column names and each row's cells (null for null) from complete lines.</summary>
    protected abstract (IReadOnlyList<string> Names, List<string?[]> Rows) ParseRows(string text, string file);

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

    private static Schema? ReadSchema(string file)
    {
        try
        {
            var pairs = JsonSerializer.Deserialize<string[][]>(File.ReadAllText(file + SchemaSuffix));
            var builder = new Schema.Builder();
            foreach (var pair in pairs ?? [])
            {
                builder.Field(f => f.Name(pair[0]).DataType(TypeFromName(pair[1])).Nullable(true));
            }

            return builder.Build();
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or IndexOutOfRangeException)
        {
            return null; // No usable schema beside the file: infer the types.
        }
    }

    private static readonly Dictionary<string, IArrowType> Types = new IArrowType[]
    {
        StringType.Default, BooleanType.Default, Int8Type.Default, Int16Type.Default, Int32Type.Default, Int64Type.Default,
        UInt8Type.Default, UInt16Type.Default, UInt32Type.Default, UInt64Type.Default, FloatType.Default, DoubleType.Default,
        TableColumn.TimestampType,
    }.ToDictionary(TypeName);

    private static string TypeName(IArrowType type) => ArrowColumns.Describe(type);

    private static IArrowType TypeFromName(string name) => Types[name];
}
