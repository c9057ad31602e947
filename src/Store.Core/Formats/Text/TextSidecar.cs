using System.Text.Json;
using Apache.Arrow;
using Store.Core.Storage;
using Store.Core.Tables;

namespace Store.Core.Formats.Text;

/// <summary>
/// The commit record of a CSV or JSON lines table, kept beside it as <c>&lt;file&gt;.schema</c>:
/// the column types (text carries none), how many bytes of the file are committed (bytes past them
/// are an append a crash cut short), and the temporary file holding a whole-file write that is
/// committed but not yet renamed into place. Every flush ends by replacing this record atomically,
/// so it, not the data file, decides what the table holds.
/// </summary>
/// <param name="Schema">The column names and types.</param>
/// <param name="Length">Committed bytes of the data file; null in records written before lengths were kept (then a last line without its newline is not committed).</param>
/// <param name="Pending">The file name (in the data file's folder) of a committed write still to be renamed over the data file, or null.</param>
internal sealed record TextSidecar(Schema Schema, long? Length, string? Pending)
{
    /// <summary>What the record's file name adds to the data file's.</summary>
    public const string Suffix = ".schema";

    /// <summary>The record's file for <paramref name="dataFile"/>.</summary>
    public static string FileOf(string dataFile) => dataFile + Suffix;

    /// <summary>The full path of the pending file, or null when there is none.</summary>
    public string? PendingFile(string dataFile) => Pending is null ? null : Path.Combine(Path.GetDirectoryName(dataFile)!, Pending);

    /// <summary>The record beside <paramref name="dataFile"/>, or null when there is none (a file another tool wrote).</summary>
    /// <exception cref="CorruptDataException">A record that cannot be read, naming it.</exception>
    public static TextSidecar? Read(string dataFile)
    {
        var file = FileOf(dataFile);
        if (AtomicFile.ReadIfPresent(file) is not { } bytes)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                return new TextSidecar(ParseColumns(root), null, null);
            }

            var length = root.GetProperty("length").GetInt64();
            var pending = root.TryGetProperty("pending", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (length < 0 || (pending is not null && (!pending.StartsWith('.') || pending.IndexOfAny(['/', '\\']) >= 0 || pending is "." or "..")))
            {
                throw new FormatException($"length {length}, pending '{pending}'");
            }

            return new TextSidecar(ParseColumns(root.GetProperty("columns")), length, pending);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or IndexOutOfRangeException or ArgumentException)
        {
            throw new CorruptDataException(
                $"{file}: not a table sidecar ({e.Message}); expected {{\"columns\": [[name, type], ...], \"length\": committed bytes}}. Delete it to read {Path.GetFileName(dataFile)} with inferred types.",
                file, e);
        }
    }

    /// <summary>Replaces the record beside <paramref name="dataFile"/> atomically: the commit point of a flush.</summary>
    public void Write(string dataFile) => AtomicFile.Replace(FileOf(dataFile), stream =>
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        writer.WriteStartObject();
        writer.WriteStartArray("columns");
        foreach (var field in Schema.FieldsList)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(field.Name);
            writer.WriteStringValue(ArrowColumns.Describe(field.DataType));
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteNumber("length", Length ?? 0);
        if (Pending is not null)
        {
            writer.WriteString("pending", Pending);
        }

        writer.WriteEndObject();
    });

    private static Schema ParseColumns(JsonElement columns)
    {
        var builder = new Schema.Builder();
        foreach (var pair in columns.EnumerateArray())
        {
            var name = pair[0].GetString() ?? throw new FormatException("a column without a name");
            var typeName = pair[1].GetString() ?? "";
            var type = ArrowColumns.FromDescription(typeName) ?? throw new FormatException($"unknown column type '{typeName}' for '{name}'");
            builder.Field(f => f.Name(name).DataType(type).Nullable(true));
        }

        return builder.Build();
    }
}
