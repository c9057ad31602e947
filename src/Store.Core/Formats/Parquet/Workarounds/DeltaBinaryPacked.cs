using System.Buffers.Binary;

namespace Store.Core.Formats.Parquet.Workarounds;

/// <summary>
/// Decodes Parquet's DELTA_BINARY_PACKED encoding (parquet-format <c>Encodings.md</c>, "Delta
/// Encoding"): a header <c>&lt;block size&gt; &lt;miniblocks per block&gt; &lt;value count&gt;
/// &lt;first value&gt;</c>, then blocks of <c>&lt;min delta&gt; &lt;one bit width per miniblock&gt;
/// &lt;miniblocks&gt;</c>, each miniblock a run of bit-packed (LSB first) deltas above the min delta.
/// </summary>
/// <remarks>
/// All arithmetic is done in 64 bits and wraps, as the specification asks; an INT32 column takes the
/// low 32 bits of each value. That also reads what DuckDB writes for INT32 columns whose deltas do
/// not fit 32 bits (min deltas beyond the int range, bit widths of 33), which the specification says
/// writers should not do but whose values are still exact modulo 2^32.
/// </remarks>
internal static class DeltaBinaryPacked
{
    /// <summary>
    /// Decodes exactly <c>values.Length</c> values from the start of <paramref name="source"/> and
    /// returns how many bytes they took.
    /// </summary>
    /// <exception cref="FormatException">A malformed header, a bit width over 64, a value count other
    /// than <c>values.Length</c>, or data that ends early (the message says which).</exception>
    public static int Decode(ReadOnlySpan<byte> source, Span<long> values)
    {
        var position = 0;
        var blockSize = ReadUleb(source, ref position);
        var miniblocks = ReadUleb(source, ref position);
        var count = ReadUleb(source, ref position);
        var first = ReadZigZag(source, ref position);
        if (blockSize == 0 || miniblocks == 0 || blockSize % miniblocks != 0 || blockSize / miniblocks % 8 != 0 || blockSize > 1 << 20)
        {
            throw new FormatException($"a block of {blockSize} values in {miniblocks} miniblocks; expected a multiple of 8 values per miniblock");
        }

        if (count != (ulong)values.Length)
        {
            throw new FormatException($"{count} values in the delta header; the page holds {values.Length} non-null values");
        }

        if (count == 0)
        {
            return position;
        }

        var perMiniblock = (int)(blockSize / miniblocks);
        var value = (ulong)first;
        values[0] = first;
        var n = 1;
        while (n < values.Length)
        {
            var minDelta = (ulong)ReadZigZag(source, ref position);
            if (position + (long)miniblocks > source.Length)
            {
                throw new FormatException("the bit widths of a block run past the end of the page");
            }

            var widths = source.Slice(position, (int)miniblocks);
            position += (int)miniblocks;
            for (var m = 0; m < widths.Length && n < values.Length; m++)
            {
                int width = widths[m];
                if (width > 64)
                {
                    throw new FormatException($"a miniblock bit width of {width}; expected at most 64");
                }

                var used = Math.Min(perMiniblock, values.Length - n);
                if (position + (((long)used * width) + 7) / 8 > source.Length)
                {
                    throw new FormatException("a miniblock runs past the end of the page");
                }

                var packed = source[position..];
                for (var j = 0; j < used; j++)
                {
                    value += minDelta + (width == 0 ? 0 : ReadBits(packed, (long)j * width, width));
                    values[n++] = (long)value;
                }

                // A miniblock holds perMiniblock values (padded) even when fewer are used.
                position = (int)Math.Min(source.Length, position + ((long)perMiniblock * width / 8));
            }
        }

        return position;
    }

    /// <summary>
    /// The <paramref name="width"/>-bit value (0 to 64) that starts <paramref name="bit"/> bits into
    /// <paramref name="source"/>, bits packed least significant first (Parquet's bit packing).
    /// </summary>
    public static ulong ReadBits(ReadOnlySpan<byte> source, long bit, int width)
    {
        var index = (int)(bit >> 3);
        var shift = (int)(bit & 7);
        var mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        if (shift + width <= 64 && index + 8 <= source.Length)
        {
            return (BinaryPrimitives.ReadUInt64LittleEndian(source[index..]) >> shift) & mask;
        }

        ulong result = 0;
        for (var got = 0; got < width; index++, shift = 0)
        {
            var take = Math.Min(8 - shift, width - got);
            result |= (ulong)((source[index] >> shift) & ((1 << take) - 1)) << got;
            got += take;
        }

        return result;
    }

    /// <summary>An unsigned LEB128 varint of at most 64 bits.</summary>
    /// <exception cref="FormatException">It runs past the data or past 64 bits.</exception>
    public static ulong ReadUleb(ReadOnlySpan<byte> source, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= source.Length)
            {
                throw new FormatException("a varint runs past the end of the data");
            }

            var b = source[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("a varint longer than 64 bits");
    }

    /// <summary>A zigzag-encoded signed LEB128 varint.</summary>
    public static long ReadZigZag(ReadOnlySpan<byte> source, ref int position)
    {
        var raw = ReadUleb(source, ref position);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }
}
