using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Store.Core.Tables;
using Parquet.Meta;
using Encoding = Parquet.Meta.Encoding;

namespace Store.Core.Formats.Parquet.Workarounds;

/// <summary>
/// Reads one flat string (BYTE_ARRAY) column chunk that Parquet.Net wrote straight into an Arrow
/// string array: the values' UTF-8 bytes are copied from the pages, never turned into .NET strings
/// and encoded back, which is most of what a query over a string key column costs through
/// Parquet.Net. Parquet.Net 6.1 writes strings PLAIN (no dictionary), so only PLAIN pages are read
/// here; v1 or v2, any codec <see cref="IntColumnChunkReader"/> reads.
/// </summary>
internal static class StringColumnChunkReader
{
    /// <summary>
    /// The chunk's values; <paramref name="optional"/> says whether the column has definition levels.
    /// Built in arrays rented from <paramref name="borrowed"/> when given (valid until it is disposed).
    /// </summary>
    /// <exception cref="FormatException">Anything malformed or not read here (the message says what).</exception>
    public static StringArray Read(FileStream file, ColumnMetaData chunk, bool optional, int rows, RentedBuffers? borrowed = null)
    {
        using var scratch = new RentedBuffers();
        var bytes = IntColumnChunkReader.ChunkBytes(file, chunk, rows, scratch).Span;
        var present = scratch.Rent<bool>(rows);
        var offsets = New((rows + 1) * sizeof(int));
        var ends = MemoryMarshal.Cast<byte, int>(offsets.Span);
        ends[0] = 0;
        // The values' bytes: the chunk's uncompressed size less a 4-byte length per row, plus page
        // headers and levels; a file that understates it (or nulls, which have no length) costs a regrowth.
        var values = New((int)Math.Clamp(chunk.TotalUncompressedSize - (4L * rows), 16, System.Array.MaxLength));
        var used = 0;
        var row = 0;
        var position = 0;
        while (row < rows)
        {
            var body = IntColumnChunkReader.NextPage(bytes, ref position, row, rows, out var header);
            switch (header.Type)
            {
                case PageType.DATA_PAGE or PageType.DATA_PAGE_V2:
                    if (header.Values < 0 || header.Values > rows - row)
                    {
                        throw new FormatException($"a data page of {header.Values} values after {row} rows; the row group holds {rows}");
                    }

                    var pagePresent = present.Slice(row, header.Values);
                    var data = IntColumnChunkReader.PageValues(header, chunk.Codec, body, optional, pagePresent, scratch);
                    if (header.Encoding != Encoding.PLAIN)
                    {
                        throw new FormatException($"a data page encoded {header.Encoding}; expected PLAIN");
                    }

                    var plainAt = 0;
                    for (var i = 0; i < pagePresent.Length; i++, row++)
                    {
                        if (pagePresent[i])
                        {
                            var (from, length) = Plain(data, ref plainAt);
                            if (used + length > values.Length)
                            {
                                var larger = New((int)Math.Min(System.Array.MaxLength, Math.Max(2L * values.Length, (long)used + length)));
                                values[..used].CopyTo(larger);
                                values = larger;
                            }

                            data.Slice(from, length).CopyTo(values.Span[used..]);
                            used += length;
                        }

                        ends[row + 1] = used;
                    }

                    break;
                default:
                    break; // index pages and pages of kinds added later carry no values
            }
        }

        var nulls = present.Count(false);
        var validity = ArrowBuffer.Empty;
        if (nulls > 0)
        {
            var bits = new ArrowBuffer.BitmapBuilder(rows);
            foreach (var has in present)
            {
                bits.Append(has);
            }

            validity = bits.Build(ManagedArrowMemory.Instance);
        }

        // Trimmed when the estimate was far off, so a loaded table does not keep the slack.
        var kept = borrowed is null && used < values.Length / 2 ? values[..used].ToArray() : values[..used];
        return new StringArray(rows, new ArrowBuffer(offsets), new ArrowBuffer(kept), validity, nulls);

        Memory<byte> New(int length) => borrowed?.RentMemory<byte>(length) ?? GC.AllocateUninitializedArray<byte>(length);
    }

    // One PLAIN byte array: a 4-byte little-endian length, then the bytes.
    private static (int Start, int Length) Plain(ReadOnlySpan<byte> data, ref int at)
    {
        if (at + 4 > data.Length)
        {
            throw new FormatException("a PLAIN byte array's length runs past the end of its page");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(data[at..]);
        if (length < 0 || at + 4 + (long)length > data.Length)
        {
            throw new FormatException($"a PLAIN byte array of {length} bytes runs past the end of its page");
        }

        var start = at + 4;
        at = start + length;
        return (start, length);
    }
}
