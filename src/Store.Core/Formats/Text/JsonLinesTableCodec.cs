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

    /// <summary>Rows may leave a declared column out (null) but never carry a key the sidecar does not declare.</summary>
    protected override int[] Declared(Schema? declared, IReadOnlyList<string> names, string file)
    {
        if (declared is null)
        {
            return base.Declared(declared, names, file);
        }

        var extra = names.Where(n => declared.GetFieldIndex(n) < 0).ToList();
        if (extra.Count > 0)
        {
            throw new CorruptDataException(
                $"{file}: rows have keys ({string.Join(", ", extra)}) that {TextSidecar.FileOf(file)} does not declare ({string.Join(", ", declared.FieldsList.Select(f => f.Name))}).", file);
        }

        return [.. declared.FieldsList.Select(f => names.ToList().IndexOf(f.Name))];
    }

    /// <inheritdoc />
    protected override (IReadOnlyList<string> Names, List<string?[]> Rows) ParseRows(string text, string file)
    {
        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new List<Dictionary<int, string?>>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new CorruptDataException($"{file}: line {lineNumber} is not JSON: {e.Message}", file, e);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new CorruptDataException($"{file}: line {lineNumber} is a JSON {document.RootElement.ValueKind}; expected one object per line.", file);
                }

                var row = new Dictionary<int, string?>();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!index.TryGetValue(property.Name, out var column))
                    {
                        index[property.Name] = column = names.Count;
                        names.Add(property.Name);
                    }

                    if (row.ContainsKey(column))
                    {
                        throw new CorruptDataException($"{file}: line {lineNumber} has the key '{property.Name}' twice; expected each column once per row.", file);
                    }

                    row[column] = property.Value.ValueKind switch
                    {
                        JsonValueKind.Null => null,
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => property.Value.GetRawText(),
                    };
                }

                rows.Add(row);
            }
        }

        return (names, rows.Select(r => Enumerable.Range(0, names.Count).Select(c => r.GetValueOrDefault(c)).ToArray()).ToList());
    }
}
