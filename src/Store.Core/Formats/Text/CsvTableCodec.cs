using System.Buffers;
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
    protected override TextParser CreateParser(string file, IReadOnlyList<string>? declared, TextSidecar? record) => new Parser(file, declared, record);

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

    /// <summary>
    /// RFC 4180 records from UTF-8 bytes: the header first, then one row per record. A record ends at
    /// a newline outside quotes; a field is null when it is empty and unquoted; a carriage return
    /// outside quotes is dropped; <c>""</c> inside quotes is a quote. Fields without quotes are cells
    /// pointing into the window; only the others are unquoted into the block.
    /// </summary>
    private sealed class Parser(string file, IReadOnlyList<string>? declared, TextSidecar? record) : TextParser(file, declared, record)
    {
        private static readonly SearchValues<byte> Special = SearchValues.Create(",\"\r\n"u8);
        private List<string>? _names;
        private long _lines;

        /// <inheritdoc />
        public override IReadOnlyList<string> Names => _names ?? [];

        /// <inheritdoc />
        /// <exception cref="CorruptDataException">A header other than the declared names, a row with another number of fields than the header, or an unclosed quote (named by line).</exception>
        protected override int Fill(TextBlock block, ReadOnlySpan<byte> bytes, bool final)
        {
            var position = 0;
            if (_names is null && !Header(block, bytes, ref position, final))
            {
                return 0;
            }

            while (position < bytes.Length)
            {
                if (final && bytes[position..].IndexOfAnyExcept((byte)'\r') < 0)
                {
                    return bytes.Length; // a last line of carriage returns is no record
                }

                var start = position;
                block.BeginRow();
                if (!ReadRecord(block, bytes, ref position, final, grow: false, out var fields))
                {
                    block.CancelRow();
                    break;
                }

                if (fields != block.Columns)
                {
                    throw new CorruptDataException($"{File}: line {_lines + 1} has {fields} fields; expected {block.Columns}, as the header line has.", File);
                }

                _lines += bytes[start..position].Count((byte)'\n');
                block.EndRow();
                Rows++;
            }

            return position;
        }

        /// <inheritdoc />
        /// <exception cref="CorruptDataException">No header line.</exception>
        public override void End()
        {
            if (_names is null)
            {
                throw new CorruptDataException($"{File}: no header line; expected column names on the first line.", File);
            }
        }

        // Reads the header record into _names, as the block's columns; false when the window ends before it does.
        private bool Header(TextBlock block, ReadOnlySpan<byte> bytes, ref int position, bool final)
        {
            if (bytes.IndexOfAnyExcept((byte)'\r') < 0 && final)
            {
                return false; // no record at all
            }

            block.BeginRow();
            if (!ReadRecord(block, bytes, ref position, final, grow: true, out _))
            {
                block.CancelRow();
                return false;
            }

            // An empty name would have to be made up (DuckDB says column2); the table refuses it instead, naming the file.
            var names = Enumerable.Range(0, block.Columns).Select(c => block.IsNull(0, c) ? "" : Encoding.UTF8.GetString(block.Text(0, c))).ToList();
            block.CancelRow(); // the header is no row
            if (Declared is not null && !Declared.SequenceEqual(names))
            {
                throw new CorruptDataException(Record is null
                    ? $"{File}: has columns ({string.Join(", ", names)}) but had ({string.Join(", ", Declared)}) when its column types were inferred; it changed while being read."
                    : $"{File}: has columns ({string.Join(", ", names)}) but {TextSidecar.FileOf(File)} declares ({string.Join(", ", Declared)}).", File);
            }

            _lines += bytes[..position].Count((byte)'\n');
            _names = names;
            return true;
        }

        // Parses the record at bytes[position..] into the block's current row, moving position past
        // it; false when the window ends before the record does. fields: how many the record has.
        private bool ReadRecord(TextBlock block, ReadOnlySpan<byte> bytes, ref int position, bool final, bool grow, out int fields)
        {
            fields = 0;
            var at = position;
            var fieldStart = at;
            var plain = true; // no quote and no stray carriage return: the cell is the bytes as they are
            var quoted = false;
            while (true)
            {
                var next = bytes[at..].IndexOfAny(Special);
                if (next < 0)
                {
                    if (!final)
                    {
                        return false;
                    }

                    Field(block, bytes[fieldStart..], fieldStart, plain, quoted, fields++, grow); // a last line without its newline
                    position = bytes.Length;
                    return true;
                }

                at += next;
                switch (bytes[at])
                {
                    case (byte)',':
                        Field(block, bytes[fieldStart..at], fieldStart, plain, quoted, fields++, grow);
                        fieldStart = ++at;
                        plain = true;
                        quoted = false;
                        break;
                    case (byte)'\n':
                        Field(block, bytes[fieldStart..at], fieldStart, plain, quoted, fields++, grow);
                        position = at + 1;
                        return true;
                    case (byte)'\r' when at + 1 < bytes.Length && bytes[at + 1] == '\n':
                        Field(block, bytes[fieldStart..at], fieldStart, plain, quoted, fields++, grow);
                        position = at + 2;
                        return true;
                    case (byte)'\r' when at + 1 == bytes.Length && !final:
                        return false; // its newline may be in the next window
                    case (byte)'\r':
                        plain = false;
                        at++;
                        break;
                    default:
                        plain = false;
                        quoted = true;
                        at = AfterClosingQuote(bytes, at + 1, final);
                        if (at < 0)
                        {
                            return final
                                ? throw new CorruptDataException($"{File}: the quoted field on line {_lines + 1} is never closed; expected a closing '\"'.", File)
                                : false;
                        }

                        break;
                }
            }
        }

        // The index after the quote that closes a quoted part starting at bytes[from]; -1 when the window ends first.
        private static int AfterClosingQuote(ReadOnlySpan<byte> bytes, int from, bool final)
        {
            var at = from;
            while (bytes[at..].IndexOf((byte)'"') is var next and >= 0)
            {
                at += next;
                if (at + 1 < bytes.Length && bytes[at + 1] == '"')
                {
                    at += 2; // an escaped quote
                    continue;
                }

                return at + 1 == bytes.Length && !final ? -1 : at + 1; // a quote ending the window may be the first of "" (unknown yet)
            }

            return -1;
        }

        // Sets field `index` of the block's current row from its raw bytes, found at `start` in the window.
        private static void Field(TextBlock block, ReadOnlySpan<byte> raw, int start, bool plain, bool quoted, int index, bool grow)
        {
            if (index >= block.Columns)
            {
                if (!grow)
                {
                    return; // a ragged row, refused once its fields are counted
                }

                block.Widen(index + 1);
            }

            if (plain)
            {
                if (raw.Length > 0)
                {
                    block.Set(index, start, raw.Length);
                }

                return;
            }

            var value = block.Reserve(raw.Length);
            var length = 0;
            var inQuotes = false;
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (inQuotes && c == '"' && i + 1 < raw.Length && raw[i + 1] == '"')
                {
                    value[length++] = c;
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = !inQuotes;
                }
                else if (inQuotes || c != '\r')
                {
                    value[length++] = c;
                }
            }

            if (quoted || length > 0)
            {
                block.SetUnescaped(index, length);
            }
        }
    }
}
