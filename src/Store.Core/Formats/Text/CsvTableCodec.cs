using System.Text;
using Apache.Arrow;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Formats.Text;

/// <summary>
/// One CSV file per table (RFC 4180): a header line, then one line per row; fields with commas,
/// quotes or line breaks are quoted; a null is an empty field and an empty string is <c>""</c>.
/// </summary>
internal sealed class CsvTableCodec : TextTableCodec
{
    /// <inheritdoc />
    public override string Extension => ".csv";

    /// <inheritdoc />
    protected override void WriteHeader(Stream stream, Schema schema) =>
        WriteLine(stream, schema.FieldsList.Select(f => f.Name).ToArray(), new StringBuilder());

    /// <inheritdoc />
    protected override void WriteRows(Stream stream, Table rows)
    {
        var line = new StringBuilder();
        var cells = new string?[rows.Schema.FieldsList.Count];
        foreach (var batch in rows.Batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                for (var c = 0; c < cells.Length; c++)
                {
                    cells[c] = TextCells.Format(batch.Column(c), r);
                }

                WriteLine(stream, cells, line);
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="CorruptDataException">No header line, an unclosed quote, or a row with another number of fields than the header (named by line).</exception>
    protected override (IReadOnlyList<string> Names, List<string?[]> Rows) ParseRows(string text, string file)
    {
        var records = new List<string?[]>();
        var fields = new List<string?>();
        var field = new StringBuilder();
        var quoted = false;
        var inQuotes = false;
        var line = 1;
        var recordLine = 1;
        void EndRecord()
        {
            fields.Add(quoted || field.Length > 0 ? field.ToString() : null);
            if (records.Count > 0 && fields.Count != records[0].Length)
            {
                throw new CorruptDataException(
                    $"{file}: line {recordLine} has {fields.Count} fields; expected {records[0].Length}, as the header line has.", file);
            }

            records.Add([.. fields]);
            fields.Clear();
            field.Clear();
            quoted = false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
            }

            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inQuotes = quoted = true;
                    break;
                case ',':
                    fields.Add(quoted || field.Length > 0 ? field.ToString() : null);
                    field.Clear();
                    quoted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (inQuotes)
        {
            throw new CorruptDataException($"{file}: the quoted field on line {recordLine} is never closed; expected a closing '\"'.", file);
        }

        if (fields.Count > 0 || field.Length > 0 || quoted)
        {
            EndRecord(); // a last line without its newline
        }

        if (records.Count == 0)
        {
            throw new CorruptDataException($"{file}: no header line; expected column names on the first line.", file);
        }

        // An empty name would have to be made up (DuckDB says column2); the table refuses it instead, naming the file.
        var names = records[0].Select((n, i) => n ?? "").ToList();
        return (names, records.Skip(1).ToList());
    }

    private static void WriteLine(Stream stream, IReadOnlyList<string?> cells, StringBuilder line)
    {
        line.Clear();
        for (var c = 0; c < cells.Count; c++)
        {
            if (c > 0)
            {
                line.Append(',');
            }

            if (cells[c] is not { } cell)
            {
                continue;
            }

            if (cell.Length == 0 || cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                line.Append('"').Append(cell.Replace("\"", "\"\"")).Append('"');
            }
            else
            {
                line.Append(cell);
            }
        }

        line.Append('\n');
        stream.Write(Encoding.UTF8.GetBytes(line.ToString()));
    }
}
