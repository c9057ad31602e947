using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using ZstdSharp;

namespace Store.Core.Formats.Zarr;

/// <summary>Encodes and decodes chunk bytes through a chain of <see cref="ZarrByteCodec"/>s.</summary>
internal static class ZarrChunkCodec
{
    /// <summary>Runs the chain forwards over the chunk's raw bytes (returned as they are when there is no codec).</summary>
    public static byte[] Encode(byte[] raw, IReadOnlyList<ZarrByteCodec> codecs)
    {
        var data = raw;
        foreach (var codec in codecs)
        {
            data = codec.Kind switch
            {
                "gzip" => Deflate(data, s => new GZipStream(s, Level(codec), leaveOpen: true)),
                "zlib" => Deflate(data, s => new ZLibStream(s, Level(codec), leaveOpen: true)),
                "zstd" => ZstdEncode(data, codec.Level ?? 3),
                "crc32c" => WithChecksum(data),
                _ => throw new InvalidOperationException($"codec {codec.Kind}"),
            };
        }

        return data;
    }

    /// <summary>Runs the chain backwards into <paramref name="destination"/>, which must be filled exactly.</summary>
    /// <exception cref="InvalidDataException">The bytes do not decode, a checksum fails, or the size is wrong.</exception>
    public static void Decode(byte[] stored, IReadOnlyList<ZarrByteCodec> codecs, Span<byte> destination)
    {
        var data = stored;
        for (var i = codecs.Count - 1; i >= 0; i--)
        {
            // What step i must produce: the raw chunk plus the checksums earlier steps appended.
            var expected = destination.Length + 4 * codecs.Take(i).Count(c => c.Kind == "crc32c");
            data = codecs[i].Kind switch
            {
                "gzip" => Inflate(data, s => new GZipStream(s, CompressionMode.Decompress), expected),
                "zlib" => Inflate(data, s => new ZLibStream(s, CompressionMode.Decompress), expected),
                "zstd" => ZstdDecode(data, expected),
                "crc32c" => WithoutChecksum(data),
                _ => throw new InvalidOperationException($"codec {codecs[i].Kind}"),
            };
        }

        if (data.Length != destination.Length)
        {
            throw new InvalidDataException($"it decodes to {data.Length} bytes; expected {destination.Length}");
        }

        data.CopyTo(destination);
    }

    /// <summary>The CRC-32C (Castagnoli) of <paramref name="data"/>, as Zarr's crc32c codec computes it.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary><paramref name="data"/> followed by its CRC-32C, little-endian.</summary>
    public static byte[] WithChecksum(ReadOnlySpan<byte> data)
    {
        var result = new byte[data.Length + 4];
        data.CopyTo(result);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(data.Length), Crc32C(data));
        return result;
    }

    /// <summary>The data before a trailing CRC-32C, after checking it.</summary>
    /// <exception cref="InvalidDataException">Too short, or the checksum does not match.</exception>
    public static byte[] WithoutChecksum(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            throw new InvalidDataException($"{data.Length} bytes cannot hold a crc32c checksum");
        }

        var body = data[..^4];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]);
        var actual = Crc32C(body);
        return stored == actual ? body.ToArray() : throw new InvalidDataException($"crc32c checksum 0x{stored:x8} does not match the data's 0x{actual:x8}");
    }

    private static CompressionLevel Level(ZarrByteCodec codec) => (codec.Level ?? 6) switch
    {
        0 => CompressionLevel.NoCompression,
        <= 3 => CompressionLevel.Fastest,
        <= 6 => CompressionLevel.Optimal,
        _ => CompressionLevel.SmallestSize,
    };

    private static byte[] Deflate(byte[] data, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Inflate(byte[] data, Func<Stream, Stream> decompressor, int expected)
    {
        using var input = new MemoryStream(data);
        using var stream = decompressor(input);
        var result = new byte[expected];
        var read = 0;
        while (read < expected && stream.Read(result, read, expected - read) is var n and > 0)
        {
            read += n;
        }

        if (read == expected && stream.ReadByte() >= 0)
        {
            throw new InvalidDataException($"it decodes to more than the {expected} bytes its shape needs");
        }

        return read == expected ? result : result[..read];
    }

    private static byte[] ZstdEncode(byte[] data, int level)
    {
        using var compressor = new Compressor(level);
        return compressor.Wrap(data).ToArray();
    }

    private static byte[] ZstdDecode(byte[] data, int expected)
    {
        using var decompressor = new Decompressor();
        var result = new byte[expected];
        try
        {
            var written = decompressor.Unwrap(data, result);
            return written == expected ? result : result[..written];
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"zstd: {e.Message}", e);
        }
    }
}
