using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Formats.Text;

/// <summary>
/// One JSON-lines file per table (<c>.jsonl</c>): one object per row, keys in column order,
/// numbers as JSON numbers, timestamps as strings, nulls as <c>null</c>.
/// </summary>
internal sealed class JsonLinesTableCodec : TextTableCodec
{
    /// <inheritdoc />
    public override string Extension => ".jsonl";

    /// <inheritdoc />
    protected override void WriteHeader(Stream stream, Schema schema)
    {
    }

    /// <inheritdoc />
    protected override void WriteRows(Stream stream, Table rows)
    {
        var fields = rows.Schema.FieldsList;
        var buffer = new MemoryStream();
        foreach (var batch in rows.Batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                buffer.SetLength(0);
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    for (var c = 0; c < fields.Count; c++)
                    {
                        var cell = TextCells.Format(batch.Column(c), r);
                        writer.WritePropertyName(fields[c].Name);
                        if (cell is null)
                        {
                            writer.WriteNullValue();
                        }
                        else if (fields[c].DataType.TypeId == Apache.Arrow.Types.ArrowTypeId.Boolean)
                        {
                            writer.WriteBooleanValue(cell == "true");
                        }
                        else if (TextCells.IsJsonNumber(fields[c].DataType))
                        {
                            writer.WriteRawValue(cell == "NaN" || cell.Contains("Infinity") ? "null" : cell);
                        }
                        else
                        {
                            writer.WriteStringValue(cell);
                        }
                    }

                    writer.WriteEndObject();
                }

                buffer.WriteByte((byte)'\n');
                stream.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            }
        }
    }

    /// <inheritdoc />
    protected override TextParser CreateParser(string file, IReadOnlyList<string>? declared, TextSidecar? record) => new Parser(file, declared, record);

    /// <summary>
    /// One JSON object per line (blank lines are skipped), its keys naming columns: declared ones, or
    /// columns in the order their keys first appear. A row may leave a column out (null) but never
    /// carry a key that is not declared, nor one twice. Strings are cells (unescaped only when they
    /// hold escapes), numbers, <c>true</c> and <c>false</c> are their text, and nested objects and
    /// arrays their JSON text.
    /// </summary>
    private sealed class Parser : TextParser
    {
        private readonly List<string> _names;
        private readonly List<byte[]> _utf8Names;
        private long[] _seen;
        private long _lines;

        public Parser(string file, IReadOnlyList<string>? declared, TextSidecar? record)
            : base(file, declared, record)
        {
            _names = [.. declared ?? []];
            _utf8Names = [.. _names.Select(Encoding.UTF8.GetBytes)];
            _seen = new long[_names.Count];
        }

        /// <inheritdoc />
        public override IReadOnlyList<string> Names => _names;

        /// <inheritdoc />
        /// <exception cref="CorruptDataException">A line that is no JSON object, has a key twice, or a key that is not declared (named by line).</exception>
        protected override int Fill(TextBlock block, ReadOnlySpan<byte> bytes, bool final)
        {
            var position = 0;
            while (position < bytes.Length)
            {
                var newline = bytes[position..].IndexOf((byte)'\n');
                var end = newline < 0 ? bytes.Length : position + newline; // no newline: the last line of the file
                _lines++;
                if (!IsBlank(bytes[position..end]))
                {
                    Row(block, bytes[position..end], position);
                    Rows++;
                }

                position = newline < 0 ? end : end + 1;
            }

            return position;
        }

        // Whether the line holds only white space (as string.IsNullOrWhiteSpace sees it).
        private static bool IsBlank(ReadOnlySpan<byte> line)
        {
            while (!line.IsEmpty)
            {
                Rune.DecodeFromUtf8(line, out var rune, out var size);
                if (!Rune.IsWhiteSpace(rune))
                {
                    return false;
                }

                line = line[size..];
            }

            return true;
        }

        // Parses one line, found at `offset` in the window, into a row of the block.
        private void Row(TextBlock block, ReadOnlySpan<byte> line, int offset)
        {
            var reader = new Utf8JsonReader(line);
            string? twice = null;
            List<string>? undeclared = null;
            block.BeginRow();
            try
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    var kind = reader.TokenType switch
                    {
                        JsonTokenType.StartArray => JsonValueKind.Array,
                        JsonTokenType.String => JsonValueKind.String,
                        JsonTokenType.Number => JsonValueKind.Number,
                        JsonTokenType.True => JsonValueKind.True,
                        JsonTokenType.False => JsonValueKind.False,
                        _ => JsonValueKind.Null,
                    };
                    reader.Skip();
                    while (reader.Read())
                    {
                    }

                    throw new CorruptDataException($"{File}: line {_lines} is a JSON {kind}; expected one object per line.", File);
                }

                var row = Rows + 1;
                for (var index = 0; reader.Read() && reader.TokenType == JsonTokenType.PropertyName; index++)
                {
                    var column = Column(ref reader, index, block);
                    if (column < 0)
                    {
                        (undeclared ??= []).Add(reader.GetString()!);
                    }
                    else if (_seen[column] == row)
                    {
                        twice ??= _names[column];
                    }

                    reader.Read();
                    if (column >= 0)
                    {
                        _seen[column] = row;
                        Value(block, ref reader, column, offset);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                while (reader.Read())
                {
                    // only white space may follow the object; the reader refuses anything else
                }
            }
            catch (JsonException e)
            {
                throw new CorruptDataException($"{File}: line {_lines} is not JSON: {e.Message}", File, e);
            }

            if (twice is not null)
            {
                throw new CorruptDataException($"{File}: line {_lines} has the key '{twice}' twice; expected each column once per row.", File);
            }

            if (undeclared is not null)
            {
                throw new CorruptDataException(Record is null
                    ? $"{File}: line {_lines} has keys ({string.Join(", ", undeclared)}) it did not have when its column types were inferred; it changed while being read."
                    : $"{File}: line {_lines} has keys ({string.Join(", ", undeclared)}) that {TextSidecar.FileOf(File)} does not declare ({string.Join(", ", _names)}).", File);
            }

            block.EndRow();
        }

        // The column of the property name the reader is on (usually the one at the same place in the
        // previous row); a new column when names are being found; -1 for a name that is not declared.
        private int Column(ref Utf8JsonReader reader, int index, TextBlock block)
        {
            if (index < _utf8Names.Count && reader.ValueTextEquals(_utf8Names[index]))
            {
                return index;
            }

            for (var c = 0; c < _utf8Names.Count; c++)
            {
                if (reader.ValueTextEquals(_utf8Names[c]))
                {
                    return c;
                }
            }

            if (Declared is not null)
            {
                return -1;
            }

            var name = reader.GetString()!;
            _names.Add(name);
            _utf8Names.Add(Encoding.UTF8.GetBytes(name));
            System.Array.Resize(ref _seen, _names.Count);
            block.Widen(_names.Count);
            return _names.Count - 1;
        }

        // Sets the cell of the value the reader is on.
        private static void Value(TextBlock block, ref Utf8JsonReader reader, int column, int offset)
        {
            var start = offset + (int)reader.TokenStartIndex;
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    break;
                case JsonTokenType.String when reader.ValueIsEscaped:
                    block.SetUnescaped(column, reader.CopyString(block.Reserve(reader.ValueSpan.Length)));
                    break;
                case JsonTokenType.String:
                    block.Set(column, start + 1, reader.ValueSpan.Length); // inside the quotes
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    reader.Skip();
                    block.Set(column, start, offset + (int)reader.BytesConsumed - start);
                    break;
                default:
                    block.Set(column, start, reader.ValueSpan.Length); // a number, true or false: its text
                    break;
            }
        }
    }
}
