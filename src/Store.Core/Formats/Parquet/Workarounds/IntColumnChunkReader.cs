using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using K4os.Compression.LZ4;
using Parquet.Meta;
using Snappier;
using ZstdSharp;
using Encoding = Parquet.Meta.Encoding;

namespace Store.Core.Formats.Parquet.Workarounds;

/// <summary>
/// Reads one flat INT32, INT64, FLOAT or DOUBLE column chunk page by page without Parquet.Net: page headers,
/// decompression, definition levels (the column's nulls), and values encoded PLAIN, as a
/// dictionary, or DELTA_BINARY_PACKED (<see cref="DeltaBinaryPacked"/>). Data pages v1 and v2.
/// </summary>
internal static class IntColumnChunkReader
{
    /// <summary>
    /// Reads every value of the chunk as 64 bits (INT32 values sign-extended) into <paramref name="values"/>
    /// and whether each row holds one (false: null) into <paramref name="present"/>, one per row of the
    /// row group; scratch space comes from <paramref name="scratch"/>. <paramref name="optional"/>
    /// says whether the column has definition levels.
    /// </summary>
    /// <exception cref="FormatException">Anything the chunk holds that is malformed or not read here (the message says what).</exception>
    public static void Read(FileStream file, ColumnMetaData chunk, bool optional, Span<long> values, Span<bool> present, RentedBuffers scratch)
    {
        var rows = values.Length;
        var bytes = ChunkBytes(file, chunk, rows, scratch);
        // FLOAT and DOUBLE values are read as their bits (INT32 / INT64 of the same width).
        var width = chunk.Type is global::Parquet.Meta.Type.INT32 or global::Parquet.Meta.Type.FLOAT ? 4 : 8;
        long[]? dictionary = null;
        var row = 0;
        var position = 0;
        while (row < rows)
        {
            var body = NextPage(bytes.Span, ref position, row, rows, out var header);
            switch (header.Type)
            {
                case PageType.DICTIONARY_PAGE:
                    var plain = Decompress(chunk.Codec, body, header.UncompressedSize, scratch);
                    if (header.Encoding is not (Encoding.PLAIN or Encoding.PLAIN_DICTIONARY) || (long)header.Values * width > plain.Length)
                    {
                        throw new FormatException($"a dictionary page of {header.Values} values encoded {header.Encoding} in {plain.Length} bytes; expected PLAIN values");
                    }

                    dictionary = new long[header.Values];
                    DecodePlain(plain, width, dictionary);
                    break;
                case PageType.DATA_PAGE or PageType.DATA_PAGE_V2:
                    if (header.Values < 0 || header.Values > rows - row)
                    {
                        throw new FormatException($"a data page of {header.Values} values after {row} rows; the row group holds {rows}");
                    }

                    row += ReadDataPage(header, chunk.Codec, body, optional, width, dictionary, values.Slice(row, header.Values), present.Slice(row, header.Values), scratch);
                    break;
                default:
                    break; // index pages and pages of kinds added later carry no values
            }
        }
    }

    /// <summary>
    /// The body of the page at <paramref name="position"/> in <paramref name="chunk"/> (row
    /// <paramref name="row"/> of <paramref name="rows"/> comes next), with its header; checked to lie
    /// within the chunk. <paramref name="position"/> moves past the page.
    /// </summary>
    /// <exception cref="FormatException">The chunk ends early, or the page runs past its end.</exception>
    internal static ReadOnlySpan<byte> NextPage(ReadOnlySpan<byte> chunk, ref int position, int row, int rows, out PageInfo header)
    {
        if (position >= chunk.Length)
        {
            throw new FormatException($"the column chunk ends after {row} of its {rows} rows");
        }

        header = PageHeaderOf(chunk[position..], out var headerLength);
        position += headerLength;
        if (header.CompressedSize < 0 || position + (long)header.CompressedSize > chunk.Length)
        {
            throw new FormatException($"a page of {header.CompressedSize} bytes runs past the end of the column chunk");
        }

        var body = chunk.Slice(position, header.CompressedSize);
        position += header.CompressedSize;
        return body;
    }

    /// <summary>
    /// The chunk's bytes (its dictionary page, if any, and data pages), checked to hold
    /// <paramref name="rows"/> values and to lie within the file; read at their offset, since the
    /// stream's position is Parquet.Net's, which reads the other columns through it.
    /// </summary>
    internal static Memory<byte> ChunkBytes(FileStream file, ColumnMetaData chunk, int rows, RentedBuffers scratch)
    {
        if (chunk.NumValues != rows)
        {
            throw new FormatException($"the column chunk holds {chunk.NumValues} values; its row group has {rows} rows");
        }

        var start = chunk.DictionaryPageOffset is > 0 and var d && d < chunk.DataPageOffset ? d : chunk.DataPageOffset;
        if (start < 0 || chunk.TotalCompressedSize <= 0 || chunk.TotalCompressedSize > Array.MaxLength || start + chunk.TotalCompressedSize > file.Length)
        {
            throw new FormatException($"the column chunk at byte {start}, {chunk.TotalCompressedSize} bytes long, does not lie within the file's {file.Length} bytes");
        }

        var bytes = scratch.RentMemory<byte>((int)chunk.TotalCompressedSize);
        for (var read = 0; read < bytes.Length;)
        {
            var got = RandomAccess.Read(file.SafeFileHandle, bytes.Span[read..], start + read);
            read += got > 0 ? got : throw new FormatException($"the column chunk at byte {start} ends early");
        }

        return bytes;
    }

    /// <summary>
    /// A data page's values section, after its definition levels (read into <paramref name="present"/>)
    /// and decompression; v1 pages are compressed whole, v2 pages after their levels.
    /// </summary>
    internal static ReadOnlySpan<byte> PageValues(PageInfo page, CompressionCodec codec, ReadOnlySpan<byte> body, bool optional, Span<bool> present, RentedBuffers scratch)
    {
        ReadOnlySpan<byte> data;
        if (page.Type == PageType.DATA_PAGE_V2)
        {
            // v2: repetition and definition levels come first, never compressed; then the values, compressed unless the page says not.
            var levels = page.RepetitionLevelsLength + (long)page.DefinitionLevelsLength;
            if (page.RepetitionLevelsLength != 0 || page.DefinitionLevelsLength < 0 || levels > body.Length)
            {
                throw new FormatException($"a v2 data page with {page.RepetitionLevelsLength} bytes of repetition and {page.DefinitionLevelsLength} of definition levels in {body.Length} bytes");
            }

            ReadLevels(optional, body[..page.DefinitionLevelsLength], present, scratch);
            var rest = body[(int)levels..];
            data = page.Compressed && codec != CompressionCodec.UNCOMPRESSED
                ? Decompress(codec, rest, checked(page.UncompressedSize - (int)levels), scratch)
                : rest;
        }
        else
        {
            var whole = Decompress(codec, body, page.UncompressedSize, scratch);
            var offset = 0;
            if (optional)
            {
                if (page.DefinitionLevelEncoding != Encoding.RLE || whole.Length < 4)
                {
                    throw new FormatException($"definition levels encoded {page.DefinitionLevelEncoding}; expected RLE");
                }

                var length = BinaryPrimitives.ReadInt32LittleEndian(whole);
                if (length < 0 || 4 + (long)length > whole.Length)
                {
                    throw new FormatException($"{length} bytes of definition levels in a page of {whole.Length}");
                }

                ReadLevels(optional, whole.Slice(4, length), present, scratch);
                offset = 4 + length;
            }
            else
            {
                present.Fill(true);
            }

            data = whole[offset..];
        }

        return data;
    }

    private static int ReadDataPage(PageInfo page, CompressionCodec codec, ReadOnlySpan<byte> body, bool optional, int width, long[]? dictionary, Span<long> values, Span<bool> present, RentedBuffers scratch)
    {
        var data = PageValues(page, codec, body, optional, present, scratch);
        var count = present.Count(true);
        var inPlace = count == values.Length;
        var dense = inPlace ? values : scratch.Rent<long>(count);
        switch (page.Encoding)
        {
            case Encoding.PLAIN:
                if ((long)count * width > data.Length)
                {
                    throw new FormatException($"{count} PLAIN values in {data.Length} bytes");
                }

                DecodePlain(data, width, dense);
                break;
            case Encoding.PLAIN_DICTIONARY or Encoding.RLE_DICTIONARY:
                if (dictionary is null || data.Length < 1)
                {
                    throw new FormatException("a dictionary-encoded page without a dictionary page before it");
                }

                var indices = scratch.Rent<int>(count);
                DecodeHybrid(data[1..], data[0], indices);
                for (var i = 0; i < count; i++)
                {
                    dense[i] = (uint)indices[i] < (uint)dictionary.Length
                        ? dictionary[indices[i]]
                        : throw new FormatException($"dictionary index {indices[i]}; the dictionary holds {dictionary.Length} values");
                }

                break;
            case Encoding.DELTA_BINARY_PACKED:
                DeltaBinaryPacked.Decode(data, dense);
                if (width == 4)
                {
                    for (var i = 0; i < dense.Length; i++)
                    {
                        dense[i] = (int)dense[i]; // wrapped 64-bit arithmetic: the low 32 bits are the value
                    }
                }

                break;
            default:
                throw new FormatException($"a data page encoded {page.Encoding}; expected PLAIN, a dictionary or DELTA_BINARY_PACKED");
        }

        if (!inPlace)
        {
            for (int r = 0, v = 0; r < values.Length; r++)
            {
                values[r] = present[r] ? dense[v++] : 0;
            }
        }

        return values.Length;
    }

    internal static void ReadLevels(bool optional, ReadOnlySpan<byte> levels, Span<bool> present, RentedBuffers scratch)
    {
        if (!optional)
        {
            present.Fill(true);
            return;
        }

        var decoded = scratch.Rent<int>(present.Length);
        DecodeHybrid(levels, 1, decoded);
        for (var i = 0; i < decoded.Length; i++)
        {
            present[i] = decoded[i] switch
            {
                0 => false,
                1 => true,
                var level => throw new FormatException($"definition level {level}; a flat column has 0 or 1"),
            };
        }
    }

    private static void DecodePlain(ReadOnlySpan<byte> data, int width, Span<long> values)
    {
        if (width == 8 && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, long>(data[..(values.Length * 8)]).CopyTo(values);
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] = width == 4 ? BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]) : BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]);
        }
    }

    /// <summary>Parquet's RLE / bit-packing hybrid (levels and dictionary indices), <paramref name="width"/> bits per value.</summary>
    internal static void DecodeHybrid(ReadOnlySpan<byte> data, int width, Span<int> values)
    {
        if (width > 32)
        {
            throw new FormatException($"a bit width of {width} for levels or dictionary indices; expected at most 32");
        }

        var position = 0;
        var n = 0;
        while (n < values.Length)
        {
            var header = DeltaBinaryPacked.ReadUleb(data, ref position);
            if ((header & 1) == 1)
            {
                // A bit-packed run: (header >> 1) groups of 8 values.
                var count = checked((long)(header >> 1) * 8);
                var bytes = count * width / 8;
                var used = (int)Math.Min(count, values.Length - n);
                if (position + (((long)used * width) + 7) / 8 > data.Length)
                {
                    throw new FormatException("a bit-packed run past the end of the page");
                }

                for (var i = 0; i < used; i++)
                {
                    values[n++] = (int)DeltaBinaryPacked.ReadBits(data[position..], (long)i * width, width);
                }

                position = (int)Math.Min(data.Length, position + bytes);
            }
            else
            {
                // An RLE run: (header >> 1) times one value, in the fewest whole bytes that hold the bit width.
                var count = (long)(header >> 1);
                var size = (width + 7) / 8;
                if (position + size > data.Length)
                {
                    throw new FormatException("an RLE run past the end of the page");
                }

                var value = 0;
                for (var b = 0; b < size; b++)
                {
                    value |= data[position + b] << (8 * b);
                }

                position += size;
                var used = (int)Math.Min(count, values.Length - n);
                values.Slice(n, used).Fill(value);
                n += used;
            }
        }
    }

    internal static Span<byte> Decompress(CompressionCodec codec, ReadOnlySpan<byte> source, int size, RentedBuffers scratch)
    {
        if (size < 0)
        {
            throw new FormatException($"an uncompressed page size of {size}");
        }

        var target = scratch.Rent<byte>(size);
        var written = codec switch
        {
            CompressionCodec.UNCOMPRESSED when source.Length == size => Copy(source, target),
            CompressionCodec.SNAPPY => Snappy.Decompress(source, target),
            CompressionCodec.ZSTD => Unzstd(source, target),
            CompressionCodec.LZ4_RAW => LZ4Codec.Decode(source, target),
            CompressionCodec.GZIP => Inflate(new GZipStream(new MemoryStream(source.ToArray()), CompressionMode.Decompress), target),
            CompressionCodec.BROTLI => BrotliDecoder.TryDecompress(source, target, out var count) ? count : -1,
            CompressionCodec.UNCOMPRESSED => -1,
            _ => throw new FormatException($"pages compressed with {codec}; expected UNCOMPRESSED, SNAPPY, GZIP, BROTLI, ZSTD or LZ4_RAW"),
        };
        return written == size ? target : throw new FormatException($"a {codec} page that holds {written} bytes; its header says {size}");
    }

    private static int Unzstd(ReadOnlySpan<byte> source, Span<byte> target)
    {
        using var decompressor = new Decompressor();
        return decompressor.Unwrap(source, target);
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> target)
    {
        source.CopyTo(target);
        return source.Length;
    }

    private static int Inflate(Stream stream, Span<byte> target)
    {
        using (stream)
        {
            var read = stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
            return read == target.Length && stream.ReadByte() >= 0 ? -1 : read;
        }
    }

    internal static PageInfo PageHeaderOf(ReadOnlySpan<byte> bytes, out int length)
    {
        var thrift = new ThriftCompact(bytes);
        var page = new PageInfo { Type = (PageType)(-1), CompressedSize = -1, Compressed = true, DefinitionLevelEncoding = Encoding.RLE };
        short last = 0;
        while (thrift.NextField(ref last, out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == 5: page.Type = (PageType)thrift.ReadInt(); break;
                case 2 when type == 5: page.UncompressedSize = thrift.ReadInt(); break;
                case 3 when type == 5: page.CompressedSize = thrift.ReadInt(); break;
                case 5 when type == 12: ReadDataHeader(ref thrift, ref page); break;
                case 7 when type == 12: ReadDictionaryHeader(ref thrift, ref page); break;
                case 8 when type == 12: ReadDataHeaderV2(ref thrift, ref page); break;
                default: thrift.Skip(type); break;
            }
        }

        length = thrift.Position;
        return page;
    }

    private static void ReadDataHeader(ref ThriftCompact thrift, ref PageInfo page)
    {
        short last = 0;
        while (thrift.NextField(ref last, out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == 5: page.Values = thrift.ReadInt(); break;
                case 2 when type == 5: page.Encoding = (Encoding)thrift.ReadInt(); break;
                case 3 when type == 5: page.DefinitionLevelEncoding = (Encoding)thrift.ReadInt(); break;
                default: thrift.Skip(type); break;
            }
        }
    }

    private static void ReadDictionaryHeader(ref ThriftCompact thrift, ref PageInfo page)
    {
        short last = 0;
        while (thrift.NextField(ref last, out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == 5: page.Values = thrift.ReadInt(); break;
                case 2 when type == 5: page.Encoding = (Encoding)thrift.ReadInt(); break;
                default: thrift.Skip(type); break;
            }
        }

        if (page.Values < 0)
        {
            throw new FormatException($"a dictionary page of {page.Values} values");
        }
    }

    private static void ReadDataHeaderV2(ref ThriftCompact thrift, ref PageInfo page)
    {
        short last = 0;
        while (thrift.NextField(ref last, out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == 5: page.Values = thrift.ReadInt(); break;
                case 4 when type == 5: page.Encoding = (Encoding)thrift.ReadInt(); break;
                case 5 when type == 5: page.DefinitionLevelsLength = thrift.ReadInt(); break;
                case 6 when type == 5: page.RepetitionLevelsLength = thrift.ReadInt(); break;
                case 7 when type is 1 or 2: page.Compressed = ThriftCompact.BoolOf(type); break;
                default: thrift.Skip(type); break;
            }
        }
    }

    /// <summary>What a page header says, for the page kinds read here.</summary>
    internal struct PageInfo
    {
        public PageType Type;
        public int UncompressedSize;
        public int CompressedSize;
        public int Values;
        public Encoding Encoding;
        public Encoding DefinitionLevelEncoding;
        public int DefinitionLevelsLength;
        public int RepetitionLevelsLength;
        public bool Compressed;
    }
}
